/**
 * MSP tenants on the stateful mocks, by example: each tenant has its own
 * seeded people, what one creates is a 404 in another, items name the
 * workspace that holds them, and `Tenant-Acid` reaches the same tenant as a
 * token exchanged for it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GreenLake } from "../../../src/index.js";
import { type Mocks } from "../../../src/testing/index.js";
import { startSharedMocks } from "../support/shared-prism.js";

const TENANT_A = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const TENANT_B = "fedcba9876543210fedcba9876543210";
const dashed = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

let mocks: Mocks;
let gl: GreenLake;
beforeAll(async () => {
  mocks = await startSharedMocks({ services: ["identity", "credentials", "compute-ops-mgmt"], collectionSize: 5 });
  gl = new GreenLake(mocks.clientOptions());
});
beforeEach(() => mocks.reset());
afterAll(() => mocks?.stop());

type User = { id: string; username: string; firstName?: string; lastName?: string };
async function users(client: GreenLake): Promise<User[]> {
  const { response, data } = await client.identity.GET("/identity/v1/users", {});
  expect(response.status).toBe(200);
  return (data as { items: User[] }).items;
}

const credential = { credentialName: "automation", serviceManagerProvision: undefined } as Record<string, unknown>;
async function createCredential(client: GreenLake, name: string): Promise<string> {
  const { response, data } = await client.service("credentials" as never).POST("/workspaces/v1/credentials" as never, { body: { ...credential, credentialName: name } } as never) as unknown as { response: Response; data: { id: string } };
  expect(response.status, "create a credential").toBeLessThan(300);
  return data.id;
}
/** Resets the credential's secret: 404 where the workspace holds no such credential. */
async function readCredential(client: GreenLake, id: string): Promise<Response> {
  const { response } = await (client.service("credentials" as never).POST("/workspaces/v1/credentials/{credentialId}/reset" as never, { params: { path: { credentialId: id } } } as never) as unknown as Promise<{ response: Response }>);
  return response;
}
async function deleteCredential(client: GreenLake, id: string): Promise<Response> {
  const { response } = await (client.service("credentials" as never).DELETE("/workspaces/v1/credentials/{credentialId}" as never, { params: { path: { credentialId: id } } } as never) as unknown as Promise<{ response: Response }>);
  return response;
}

describe("MSP tenants on the stateful mocks", () => {
  it("gives each tenant its own seeded users, the same ones again for the same seed", async () => {
    const main = await users(gl);
    const a = await users(gl.forTenant(TENANT_A));
    const b = await users(gl.forTenant(TENANT_B));
    const ids = (list: User[]) => list.map((u) => u.id);
    const names = (list: User[]) => list.map((u) => u.username);
    expect(a).toHaveLength(5);
    expect(b).toHaveLength(5);
    for (const [x, y] of [[main, a], [main, b], [a, b]] as const) {
      expect(ids(x).filter((id) => ids(y).includes(id))).toEqual([]);
      expect(names(x)).not.toEqual(names(y));
    }
    expect(mocks.state.collection("/identity/v1/users", TENANT_A).map((u) => u.id)).toEqual(ids(a));
    // Deterministic per seed and workspace: a reset seeds the tenant with the same people.
    mocks.reset();
    expect(await users(gl.forTenant(TENANT_A))).toEqual(a);
    expect(await users(gl)).toEqual(main);
  });

  it("answers 404 in one tenant for a credential created in another, and in the main workspace", async () => {
    const inA = await createCredential(gl.forTenant(TENANT_A), "tenant-a-automation");
    const inMain = await createCredential(gl, "msp-automation");
    expect((await readCredential(gl.forTenant(TENANT_A), inA)).status).toBe(200);
    expect((await readCredential(gl.forTenant(TENANT_B), inA)).status).toBe(404);
    expect((await readCredential(gl, inA)).status).toBe(404);
    expect((await readCredential(gl.forTenant(TENANT_A), inMain)).status).toBe(404);
    expect((await readCredential(gl, inMain)).status).toBe(200);
    // Nor can another workspace delete it.
    expect((await deleteCredential(gl.forTenant(TENANT_B), inA)).status).toBe(404);
    expect((await deleteCredential(gl, inA)).status).toBe(404);
    expect(mocks.state.collection("/workspaces/v1/credentials").map((c) => c.id)).not.toContain(inA);
    expect(mocks.state.collection("/workspaces/v1/credentials", TENANT_A).map((c) => c.id)).toContain(inA);
  });

  it("never gives a credential a tenant other than the workspace that holds it", () => {
    for (const c of mocks.state.collection("/workspaces/v1/credentials")) expect(c.associatedTenant).toBeUndefined();
    const held = mocks.state.collection("/workspaces/v1/credentials", TENANT_B);
    expect(held.length).toBeGreaterThan(0);
    for (const c of held) if (c.associatedTenant !== undefined) expect(c.associatedTenant).toMatchObject({ resourceUri: `/workspaces/v1/workspace/${dashed(TENANT_B)}` });
  });

  it("names the holding workspace in every item's workspace fields", () => {
    const checked: string[] = [];
    for (const workspace of [undefined, TENANT_A]) {
      const expected = workspace ?? mocks.credentials.workspaceId;
      for (const path of mocks.state.templates.filter((t) => !t.includes("{"))) {
        for (const item of mocks.state.collection(path, workspace)) {
          for (const key of ["workspaceId", "tenantWorkspaceId", "platformCustomerId"]) {
            if (typeof item[key] !== "string") continue;
            expect([expected, dashed(expected)], `${path} ${key}`).toContain(item[key]);
            checked.push(`${path} ${key}`);
          }
        }
      }
    }
    expect(checked.length).toBeGreaterThan(0);
  });

  it("reaches the same tenant with Tenant-Acid as with a token exchanged for it, and refuses a malformed one", async () => {
    const path = "/compute-ops-mgmt/v1/groups";
    const list = async (client: GreenLake, tenantAcid?: string) => {
      const { response, data } = await client.computeOpsMgmt.GET(path, tenantAcid === undefined ? {} : ({ tenantAcid } as never));
      return { status: response.status, ids: ((data as { items?: Array<{ id: string }> } | undefined)?.items ?? []).map((g) => g.id) };
    };
    const byAcid = await list(gl, dashed(TENANT_A));
    const byExchange = await list(gl.forTenant(TENANT_A));
    const own = await list(gl);
    expect(byAcid.status).toBe(200);
    expect(byAcid.ids).toEqual(byExchange.ids);
    expect(byAcid.ids).not.toEqual(own.ids);
    const malformed = await list(gl, "not-a-tenant");
    expect(malformed.status).toBe(400);
  });
});

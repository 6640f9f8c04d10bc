/**
 * MSP tenants hold their own data on the stateful mocks: any interleaving of
 * creates and deletes across the main workspace and two tenants (reached with
 * `forTenant`'s token exchange or the `Tenant-Acid` header) leaves each
 * workspace's list equal to its own seeded items plus its own sequence.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceMetadata } from "../../../generated/services/index.js";
import { GreenLake, type OperationMetadata } from "../../../src/index.js";
import { type Mocks } from "../../../src/testing/index.js";
import { startSharedMocks } from "../support/shared-prism.js";
import { buildRequest } from "../support/build-request.js";

const RUNS = 25;
const TENANT_A = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const TENANT_B = "fedcba9876543210fedcba9876543210";
/** The tenant's application customer id as COM's `Tenant-Acid` header carries it. */
const acid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

type Workspace = "main" | "a" | "b";
type Call = (path: string, init: object) => Promise<{ response: Response; data?: unknown }>;
interface Collection {
  readonly service: "credentials" | "compute-ops-mgmt";
  readonly path: string;
  readonly item: string;
  readonly param: string;
}

const COLLECTIONS: readonly Collection[] = [
  { service: "credentials", path: "/workspaces/v1/credentials", item: "/workspaces/v1/credentials/{credentialId}", param: "credentialId" },
  { service: "compute-ops-mgmt", path: "/compute-ops-mgmt/v1/groups", item: "/compute-ops-mgmt/v1/groups/{group-id}", param: "group-id" },
];

const opOf = (service: Collection["service"], method: string, path: string) =>
  (serviceMetadata[service].operations as readonly OperationMetadata[]).find((op) => op.method === method && op.path === path)!;

let mocks: Mocks;
let gl: GreenLake;
beforeAll(async () => {
  mocks = await startSharedMocks({ services: ["credentials", "compute-ops-mgmt"], collectionSize: 3 });
  gl = new GreenLake(mocks.clientOptions());
});
afterAll(() => mocks?.stop());

/** The client and call options that act in `workspace`: tenant A by `Tenant-Acid` where COM takes it, else by token exchange. */
function caller(collection: Collection, workspace: Workspace): { call: Record<"GET" | "POST" | "DELETE", Call>; extra: object } {
  const service = (client: GreenLake) => client.service(collection.service as never) as unknown as Record<"GET" | "POST" | "DELETE", Call>;
  if (workspace === "main") return { call: service(gl), extra: {} };
  const hex = workspace === "a" ? TENANT_A : TENANT_B;
  if (workspace === "a" && collection.service === "compute-ops-mgmt") return { call: service(gl), extra: { tenantAcid: acid(hex) } };
  return { call: service(gl.forTenant(hex)), extra: {} };
}

function workspaceId(workspace: Workspace): string {
  return workspace === "main" ? mocks.credentials.workspaceId : workspace === "a" ? TENANT_A : TENANT_B;
}

async function listIds(collection: Collection, workspace: Workspace): Promise<string[]> {
  const { call, extra } = caller(collection, workspace);
  const { response, data } = await call.GET(collection.path, { ...extra, params: { query: { limit: 100 } } });
  expect(response.status).toBe(200);
  return ((data as { items: Array<{ id: string }> }).items ?? []).map((i) => i.id).sort();
}

type Step = { kind: "create"; collection: number; workspace: Workspace } | { kind: "delete"; collection: number; workspace: Workspace; pick: number };

const workspaceArb = fc.constantFrom<Workspace>("main", "a", "b");
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), collection: fc.nat(COLLECTIONS.length - 1), workspace: workspaceArb }),
  fc.record({ kind: fc.constant("delete" as const), collection: fc.nat(COLLECTIONS.length - 1), workspace: workspaceArb, pick: fc.nat(20) }),
);

describe("MSP tenants on the stateful mocks", () => {
  it("each workspace lists exactly its own seeded items and its own creates, less its own deletes", async () => {
    let run = 0;
    let steps = 0;
    const tally = { creates: 0, deletes: 0, lists: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 12 }), async (sequence) => {
        mocks.reset();
        run++;
        // The model: each workspace's ids per collection, starting from what that workspace was seeded with.
        const model = new Map<string, Set<string>>();
        const key = (c: number, w: Workspace) => `${c}|${w}`;
        for (let c = 0; c < COLLECTIONS.length; c++) {
          for (const w of ["main", "a", "b"] as const) {
            model.set(key(c, w), new Set(mocks.state.collection(COLLECTIONS[c]!.path, workspaceId(w)).map((i) => String(i.id))));
          }
        }
        for (const [n, step] of sequence.entries()) {
          steps++;
          const collection = COLLECTIONS[step.collection]!;
          const { call, extra } = caller(collection, step.workspace);
          const ids = model.get(key(step.collection, step.workspace))!;
          if (step.kind === "create") {
            const built = buildRequest(opOf(collection.service, "post", collection.path), "examples");
            const body = { ...(built.body as Record<string, unknown>) };
            // Unique names, so no create repeats another (a 409 is the consistency suite's concern).
            for (const field of ["name", "credentialName", "displayName"]) if (typeof body[field] === "string") body[field] = `${String(body[field])}-${run}-${n}`;
            const { response, data } = await call.POST(collection.path, { ...extra, body });
            expect(response.status, `create in ${step.workspace}`).toBeLessThan(300);
            ids.add(String((data as { id: string }).id));
            tally.creates++;
          } else {
            const list = [...ids].sort();
            const id = list[step.pick % Math.max(1, list.length)];
            if (id === undefined) continue;
            const { response } = await call.DELETE(collection.item, { ...extra, params: { path: { [collection.param]: id } } });
            expect(response.status, `delete ${id} in ${step.workspace}`).toBeLessThan(300);
            ids.delete(id);
            tally.deletes++;
          }
        }
        for (let c = 0; c < COLLECTIONS.length; c++) {
          for (const w of ["main", "a", "b"] as const) {
            expect(await listIds(COLLECTIONS[c]!, w), `${COLLECTIONS[c]!.path} in ${w}`).toEqual([...model.get(key(c, w))!].sort());
            tally.lists++;
          }
        }
      }),
      { numRuns: RUNS },
    );
    console.log(`tenants: ${run} cases, ${steps} steps, ${JSON.stringify(tally)}`);
    expect(run).toBeGreaterThanOrEqual(RUNS);
    expect(steps).toBeGreaterThan(RUNS);
  });
});

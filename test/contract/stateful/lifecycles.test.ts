/**
 * The guides' scenarios against the stateful mocks: what one call does, the
 * next one sees. Plus the README's first example, async work and a scripted 429.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { exampleAuthorization, manageAuthorization } from "../../../examples/authorization.js";
import { activationKeys } from "../../../examples/compute-ops-mgmt.js";
import { exampleAssociations, manageCredentials } from "../../../examples/credentials.js";
import { recordingNarrator } from "../../../examples/support/narrator.js";
import { manageUsers } from "../../../examples/users.js";
import {
  GreenLake,
  GreenLakeNotFoundError,
  GreenLakeOperationError,
  GreenLakeValidationError,
  odata,
  paginate,
  runComJob,
  unwrap,
  waitForAsyncOperation,
  type OperationMetadata,
} from "../../../src/index.js";
import { serviceMetadata } from "../../../generated/services/index.js";
import { type Mocks } from "../../../src/testing/index.js";
import { startSharedMocks } from "../support/shared-prism.js";
import { buildRequest } from "../support/build-request.js";

let mocks: Mocks;
let gl: GreenLake;
beforeAll(async () => {
  mocks = await startSharedMocks({
    services: ["identity", "credentials", "authorization", "compute-ops-mgmt", "private-cloud-business"],
    collectionSize: { "/compute-ops-mgmt/v1/servers": 700 },
    async: { durationMs: 200 },
  });
  gl = new GreenLake(mocks.clientOptions({ throwOnError: true }));
});
beforeEach(() => mocks.reset());
afterAll(() => mocks?.stop());

// Polls every 10-50 ms, whatever interval the mocks suggest (the seconds left, as Retry-After in whole seconds):
// these tests check where the work ends, not how often it is polled (test/unit/polling-retry-after.property.test.ts).
const fast = { pollIntervalMs: 50, minPollIntervalMs: 10, maxPollIntervalMs: 50, timeoutMs: 10_000 };

describe("lifecycles on the stateful mocks", () => {
  it("users: invite -> listed -> delete -> gone", async () => {
    const email = "ravi.patel@example.com";
    const before = mocks.state.collection("/identity/v1/users").length;
    const outcome = await manageUsers(gl, recordingNarrator(), { email });
    expect(mocks.state.collection("/identity/v1/users").length).toBe(before);
    const after = await unwrap(gl.identity.GET("/identity/v1/users", { params: { query: { filter: odata`username eq ${email}` } } }));
    expect(after.items).toEqual([]);
    await expect(gl.identity.GET("/identity/v1/users/{id}", { params: { path: { id: outcome.userId } } })).rejects.toBeInstanceOf(GreenLakeNotFoundError);
  });

  it("credentials: create -> reset secret (generation moves on) -> delete", async () => {
    const narrator = recordingNarrator();
    const outcome = await manageCredentials(gl, narrator, exampleAssociations);
    expect(outcome.createdIds).toHaveLength(3);
    expect(outcome.listed).toBe(mocks.state.collection("/workspaces/v1/credentials").length + 3);
    expect(narrator.lines.join("\n")).toMatch(/generation 2/);
    for (const id of outcome.createdIds) expect(mocks.state.collection("/workspaces/v1/credentials").some((c) => c.id === id)).toBe(false);
  });

  it("authorization: scope group -> scopes in batch -> role assignment -> clean up", async () => {
    const options = exampleAuthorization("0123456789abcdef0123456789abcdef");
    const outcome = await manageAuthorization(gl, recordingNarrator(), options);
    expect(outcome.scopesAdded).toBe(options.resourceGrns.length);
    expect(outcome.scopesRemoved).toBe(options.resourceGrns.length);
    await expect(gl.authorization.GET("/authorization/v1beta1/role-assignments/{id}", { params: { path: { id: outcome.roleAssignmentId } } })).rejects.toBeInstanceOf(GreenLakeNotFoundError);
    await expect(gl.authorization.GET("/authorization/v1beta1/scope-groups/{id}", { params: { path: { id: outcome.scopeGroupId } } })).rejects.toBeInstanceOf(GreenLakeNotFoundError);
  });

  it("authorization: batch and bulk report a duplicate or unknown scope as an error, truthfully", async () => {
    const group = await unwrap(gl.authorization.POST("/authorization/v1beta1/scope-groups", { body: { name: "racks", description: "Racks" } }));
    const grn = "grn:glp/workspaces/0123456789abcdef0123456789abcdef/regions/us-west/providers/compute-ops-mgmt/servers/P00001+SN0001";
    const items = [{ grn, description: "one" }, { grn, description: "again" }];
    const batch = await unwrap(gl.authorization.POST("/authorization/v1beta1/scope-groups/{id}/scopes/batch", { params: { path: { id: group.id } }, body: { items } }));
    expect([batch.successCount, batch.errorCount]).toEqual([1, 1]);
    const added = batch.successes as { id: string }[];
    const bulk = await unwrap(
      gl.authorization.DELETE("/authorization/v1beta1/scope-groups/{id}/scopes/bulk", {
        params: { path: { id: group.id } },
        body: { items: [{ id: added[0]!.id }, { id: "00000000-0000-4000-8000-000000000000" }] },
      }),
    );
    expect([bulk.successCount, bulk.errorCount]).toEqual([1, 1]);
    expect(mocks.state.collection(`/authorization/v1beta1/scope-groups/${group.id}/scopes`)).toEqual([]);
  });

  it("Compute Ops Management: activation key create -> list -> delete", async () => {
    const outcome = await activationKeys(gl, recordingNarrator());
    expect(outcome.activationKey).not.toBe("");
    expect(mocks.state.collection("/compute-ops-mgmt/v1beta1/activation-keys").some((k) => k.activationKey === outcome.activationKey)).toBe(false);
    const deleted = mocks.calls.find((c) => c.method === "DELETE");
    expect(deleted?.answeredBy).toBe("state");
  });

  it("Private Cloud Business Edition: catalogs paged, each once", async () => {
    const seeded = mocks.state.collection("/private-cloud-business/v1beta1/system-software-catalogs");
    // The document pages this list with limit and offset but declares no offset, so the SDK does not page it: page by hand.
    const ids: string[] = [];
    for (let offset = 0; ; offset += 10) {
      const query = { limit: 10, offset } as { limit: number };
      const page = await unwrap(gl.privateCloudBusiness.GET("/private-cloud-business/v1beta1/system-software-catalogs", { params: { query } }));
      ids.push(...page.items.map((c) => c.id));
      if (page.items.length < 10) break;
    }
    expect(ids).toEqual(seeded.map((c) => c.id));
    expect(mocks.calls.filter((c) => c.operation === "GET /private-cloud-business/v1beta1/system-software-catalogs").length).toBeGreaterThanOrEqual(Math.ceil(seeded.length / 10));
  });

  it("runs the README's first example as written and walks several pages", async () => {
    const readmeGl = new GreenLake(mocks.clientOptions({ region: "eu-central" }));
    const names: unknown[] = [];
    for await (const server of paginate(readmeGl.computeOpsMgmt, "/compute-ops-mgmt/v1/servers", {
      query: { filter: odata`hardware/model eq ${"ProLiant DL360 Gen11"}` },
    })) {
      names.push([server.name, server.hardware?.serialNumber]);
    }
    const expected = mocks.state.collection("/compute-ops-mgmt/v1/servers").filter((s) => (s.hardware as { model?: string }).model === "ProLiant DL360 Gen11");
    expect(names).toHaveLength(expected.length);
    expect(mocks.calls.filter((c) => c.operation === "GET /compute-ops-mgmt/v1/servers").length).toBeGreaterThanOrEqual(3);
  });

  it("a 202 + Location leads to an async operation that reaches the chosen outcome", async () => {
    const op = (serviceMetadata["compute-ops-mgmt"].operations as readonly OperationMetadata[]).find((o) => o.method === "post" && o.path === "/compute-ops-mgmt/v1/servers")!;
    const { body } = buildRequest(op, "examples");
    const post = gl.computeOpsMgmt.POST as unknown as (p: string, i: unknown) => Promise<{ response: Response }>;
    const accepted = await post("/compute-ops-mgmt/v1/servers", { body });
    expect(accepted.response.status).toBe(202);
    const done = await waitForAsyncOperation(gl.computeOpsMgmt, accepted, fast);
    expect(done.state ?? done.status).toBe("SUCCEEDED");
    mocks.async.outcome = "failed";
    const again = await post("/compute-ops-mgmt/v1/servers", { body });
    await expect(waitForAsyncOperation(gl.computeOpsMgmt, again, fast)).rejects.toBeInstanceOf(GreenLakeOperationError);
  });

  it("Compute Ops Management jobs end COMPLETE, ERROR or STALLED as chosen", async () => {
    const body = { jobTemplate: "fd54a96c-cabc-42e3-aee3-374a2d009dba", resourceId: "P06760-B21+2M212504P8", resourceType: "compute-ops-mgmt/server" };
    const done = await runComJob(gl.computeOpsMgmt, body, fast);
    expect(done.state).toBe("COMPLETE");
    for (const outcome of ["ERROR", "STALLED"] as const) {
      mocks.async.jobOutcome = outcome;
      await expect(runComJob(gl.computeOpsMgmt, body, fast)).rejects.toThrow(new RegExp(`state ${outcome}`));
    }
  });

  it("rides out a scripted 429 with Retry-After, and a 503", async () => {
    mocks.faults.tooManyRequests({ operation: "GET /identity/v1/users", retryAfterSeconds: 1 });
    mocks.faults.add({ operation: "GET /identity/v1/users", fault: { kind: "503" } });
    // Waits capped at 50 ms (`maxRetryAfterMs`, backoff): the calls are what is checked, not the seconds between them.
    const patient = new GreenLake(mocks.clientOptions({ throwOnError: true, retry: { maxRetryAfterMs: 50, baseDelayMs: 10, maxDelayMs: 50 } }));
    const page = await unwrap(patient.identity.GET("/identity/v1/users", { params: { query: { limit: 3 } } }));
    expect(page.items).toHaveLength(3);
    expect(mocks.calls.map((c) => c.status)).toEqual([429, 503, 200]);
  });

  it("explains a rejected request: field and rule in a GreenLake error body", async () => {
    const error = await gl.identity.GET("/identity/v1/users", { params: { query: { limit: 100_000 } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GreenLakeValidationError);
    expect((error as Error).message).toMatch(/limit.*maximum/);
    const bad = await gl.identity.GET("/identity/v1/users", { params: { query: { filter: "username eq" } } }).catch((e: unknown) => e);
    expect((bad as GreenLakeValidationError).status).toBe(400);
    expect((bad as Error).message).toMatch(/Invalid filter/);
  });
});

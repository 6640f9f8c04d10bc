/**
 * For every collection the documents let a client create in, read and delete
 * from: what POST creates, GET reads and the list shows; after DELETE, it is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../../../generated/services/index.js";
import { GreenLake, type OperationMetadata } from "../../../../src/index.js";
import type { Mocks } from "../../../../src/testing/index.js";
import { buildRequest } from "../../support/build-request.js";

const all = serviceKeys.flatMap((service) => (serviceMetadata[service].operations as readonly OperationMetadata[]).map((op) => ({ service, op })));
const has = (method: string, path: string) => all.some(({ op }) => op.method === method && op.path === path);
const cycles = all
  .filter(({ op }) => op.method === "post" && has("get", op.path))
  .map(({ service, op }) => ({ service, create: op, item: all.find((o) => o.op.method === "get" && o.op.path.replace(/\/\{[^}/]+\}$/, "") === op.path && o.op.path !== op.path)?.op }))
  .filter((c): c is { service: (typeof all)[number]["service"]; create: OperationMetadata; item: OperationMetadata } => c.item !== undefined && has("delete", c.item.path));

/** Collections whose documents contradict themselves, so no cycle can pass Prism. */
const contradictions: Record<string, RegExp> = {
  // Server ids read `<product id>+<serial number>`, but DELETE declares the id a UUID.
  "/compute-ops-mgmt/v1/servers": /path parameter id must match format "uuid"/,
  "/compute-ops-mgmt/v1beta2/servers": /path parameter id must match format "uuid"/,
};

let mocks: Mocks;
let gl: GreenLake;
/** Defines these tests over the mocks `shared` gives (started by the including file). */
export function defineCrudCycles(shared: () => { mocks: Mocks; gl: GreenLake }): void {
  beforeAll(() => {
    ({ mocks, gl } = shared());
  });
  const proven: string[] = [];
  afterAll(async () => {
    console.log(`not proven: ${cycles.map((c) => c.create.path).filter((p) => !proven.includes(p)).join(", ")}`);
    console.log(`create -> in the collection -> read -> delete -> gone, proven on ${proven.length}/${cycles.length} collections (${Object.keys(contradictions).length} contradicted by their documents)`);
    // Every cycle whose documented example request Prism accepts, bar the contradictions.
    expect(proven.length).toBeGreaterThanOrEqual(cycles.length - Object.keys(contradictions).length);
  });

  type Call = (path: string, init: object) => Promise<{ response: Response; data?: unknown; error?: unknown }>;

  describe.concurrent("create, read, list, delete on every collection", () => {
    for (const { service, create, item } of cycles) {
      it(`${service}: ${create.path}`, async () => {
        const client = gl.service(service as never) as unknown as Record<"GET" | "POST" | "DELETE", Call>;
        const built = buildRequest(create, "examples");
        const serializer = built.contentType?.includes("json") ? {} : { bodySerializer: (b: unknown) => JSON.stringify(b) };
        const posted = await client.POST(create.path, { params: built.params, body: built.body, headers: { "content-type": built.contentType ?? "application/json" }, ...serializer });
        const call = mocks.calls.filter((c) => c.operation === `POST ${create.path}`).at(-1);
        if (call?.answeredBy !== "state") {
          // Prism rejected the documented example (the contract suite covers that); anything else is a failure.
          expect(call?.status, `POST ${create.path} answered by ${call?.answeredBy}`).toBeGreaterThanOrEqual(400);
          expect(call?.status).toBeLessThan(500);
          return;
        }
        expect(posted.response.status).toBeLessThan(300);
        const collectionPath = new URL(call.url, "http://x").pathname;
        const before = mocks.state.collection(collectionPath);
        // The Location of a 201 names the new item; a 202's points at the async operation instead.
        const location = posted.response.status === 202 ? null : posted.response.headers.get("location");
        const locatedId = location === null ? undefined : decodeURIComponent(location.slice(location.lastIndexOf("/") + 1));
        const created = before.find((i) => Object.values(i).some((v) => String(v) === locatedId)) ?? before.at(-1)!;
        const param = /\{([^}/]+)\}$/.exec(item.path)![1]!;
        const camel = param.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
        const idField = [camel, param, "id"].find((k) => created[k] !== undefined);
        expect(idField, `an id property on ${JSON.stringify(created).slice(0, 200)}`).toBeDefined();
        if (idField === undefined) return;
        const id = String(created[idField]);
        const itemPath = { ...built.params.path, [param]: id };
        const deleteOp = all.find((o) => o.op.method === "delete" && o.op.path === item.path)!.op;
        const deleteHeaders = buildRequest(deleteOp, "examples").params.header;
        const read = await client.GET(item.path, { params: { ...built.params, path: itemPath } });
        expect(read.response.status, `GET ${item.path}: ${JSON.stringify(read.error)}`).toBe(200);
        const deleted = await client.DELETE(item.path, { params: { ...built.params, path: itemPath, header: deleteHeaders }, headers: deleteHeaders });
        const contradiction = contradictions[create.path];
        if (contradiction !== undefined) {
          expect(String((deleted.error as { message?: string } | undefined)?.message)).toMatch(contradiction);
          return;
        }
        expect(deleted.response.status, `DELETE ${item.path}: ${JSON.stringify(deleted.error)}`).toBeLessThan(300);
        expect(mocks.state.collection(collectionPath).some((i) => String(i[idField]) === id)).toBe(false);
        const gone = await client.GET(item.path, { params: { ...built.params, path: itemPath } });
        expect(gone.response.status).toBe(404);
        proven.push(create.path);
      });
    }
  });
}

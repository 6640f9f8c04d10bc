/**
 * Reading a listed item by its id through the state layer gives the item, in
 * the shape the document's item operation declares.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../../../generated/services/index.js";
import { GreenLake, type OperationMetadata } from "../../../../src/index.js";
import type { Mocks } from "../../../../src/testing/index.js";
import { buildRequest } from "../../support/build-request.js";
import { responseProblems } from "../../support/validate-response.js";

const all = serviceKeys.flatMap((service) => (serviceMetadata[service].operations as readonly OperationMetadata[]).map((op) => ({ service, op })));
const gets = new Set(all.filter(({ op }) => op.method === "get").map(({ op }) => op.path));
// Item reads `/x/{id}` whose collection `/x` pages.
const reads = all.filter(({ op }) => op.method === "get" && /\/\{[^}/]+\}$/.test(op.path) && all.some((o) => o.op.pagination !== undefined && o.op.path === op.path.replace(/\/\{[^}/]+\}$/, "")));

let mocks: Mocks;
let gl: GreenLake;
/** Defines these tests over the mocks `shared` gives (started by the including file). */
export function defineItemsMatchDocuments(shared: () => { mocks: Mocks; gl: GreenLake }): void {
  beforeAll(() => {
    ({ mocks, gl } = shared());
  });
  const checked: string[] = [];
  afterAll(async () => {
    console.log(`stateful item reads validated against their documents: ${checked.length}/${reads.length}`);
    expect(checked.length).toBeGreaterThan(reads.length * 0.9);
  });

  type Get = (path: string, init: object) => Promise<{ response: Response; data?: unknown; error?: unknown }>;

  describe.concurrent("stateful item reads match their documents", () => {
    it("finds item reads to check", () => {
      expect(reads.length).toBeGreaterThan(50);
      expect(gets.size).toBeGreaterThan(reads.length);
    });
    for (const { service, op } of reads) {
      it(`${service}: GET ${op.path}`, async () => {
        const built = buildRequest(op, "examples");
        const param = /\{([^}/]+)\}$/.exec(op.path)![1]!;
        const collectionPath = op.path.replace(/\/\{[^}/]+\}$/, "").replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(String(built.params.path[n])));
        const model = mocks.state.collection(collectionPath);
        const first = model[0]!;
        const idField = Object.keys(first).find((k) => k === param || k === param.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase())) ?? "id";
        const path = { ...built.params.path, [param]: String(first[idField]) };
        const client = gl.service(service as never) as unknown as { GET: Get };
        const { response, data, error } = await client.GET(op.path, { params: { ...built.params, path }, parseAs: "text" });
        const call = mocks.calls.filter((c) => c.operation === `GET ${op.path}`).at(-1);
        if (call?.answeredBy !== "state") return; // Prism rejected the documented example request: covered by the contract suite
        const text = typeof data === "string" ? data : typeof error === "string" ? error : "";
        expect(response.status, text.slice(0, 300)).toBe(200);
        expect(responseProblems(op, response.status, response.headers.get("content-type"), text)).toEqual([]);
        expect((JSON.parse(text) as Record<string, unknown>)[idField]).toEqual(first[idField]);
        checked.push(op.path);
      });
    }
  });
}

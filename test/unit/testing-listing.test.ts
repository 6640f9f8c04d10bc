import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serviceMetadata } from "../../generated/services/index.js";
import { GreenLake, paginate, type OperationMetadata } from "../../src/index.js";
import { decodeCursor, encodeCursor, listPage, parseSort, selectFields } from "../../src/testing/listing.js";

// One operation per paging style, with their real metadata.
const STYLES = [
  { service: "compute-ops-mgmt", path: "/compute-ops-mgmt/v1/servers" },
  { service: "identity", path: "/identity/v1/users" },
  { service: "wellness", path: "/wellness/v2/events" },
] as const;

function metaOf(service: keyof typeof serviceMetadata, path: string) {
  const op = (serviceMetadata[service].operations as readonly OperationMetadata[]).find((o) => o.method === "get" && o.path === path);
  return op!.pagination!;
}

/** A client whose fetch answers every list call from `listPage` over `items`: the mocks' paging without a server. */
function clientOver(items: readonly unknown[], service: keyof typeof serviceMetadata, path: string): GreenLake {
  const pagination = metaOf(service, path);
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const result = listPage(items, { query: url.searchParams, pagination, declared: new Set(), responseFields: new Set(["count", "offset", "total"]) });
    return new Response(JSON.stringify(result.ok ? result.body : { message: result.message }), {
      status: result.ok ? 200 : result.status,
      headers: { "content-type": "application/json" },
    });
  };
  // Pacing has its own tests; here it would only spread the generated listings over minutes.
  return new GreenLake({ token: "unit-test-token", baseUrl: "https://mocks.example.com", fetch, retry: false, pacing: false });
}

describe("mock paging", () => {
  it("paginate yields every item exactly once, in order, for any size, page size, style and concurrency", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...STYLES),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 25 }),
        fc.constantFrom(1, 2, 8),
        async (style, size, pageSize, concurrency) => {
          const items = Array.from({ length: size }, (_, i) => ({ id: `item-${i}` }));
          const gl = clientOver(items, style.service, style.path);
          const seen: unknown[] = [];
          for await (const item of paginate(gl.service(style.service) as never, style.path as never, undefined, { pageSize, concurrency })) seen.push(item);
          expect(seen).toEqual(items);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("enforces the operation's maximum page size with a 400 naming the parameter", () => {
    const pagination = metaOf("compute-ops-mgmt", "/compute-ops-mgmt/v1/servers");
    const result = listPage([], { query: new URLSearchParams({ limit: String(pagination.maxPageSize! + 1) }), pagination, declared: new Set(), responseFields: new Set() });
    expect(result).toMatchObject({ ok: false, status: 400, field: "limit" });
  });

  it("round-trips cursors and rejects foreign ones", () => {
    fc.assert(fc.property(fc.nat(), (n) => decodeCursor(encodeCursor(n)) === n));
    expect(decodeCursor("not-a-cursor")).toBeUndefined();
  });

  it("selects nested properties and sorts by several keys", () => {
    expect(selectFields({ id: "a", hardware: { model: "m", serial: "s" } }, ["id", "hardware/model"])).toEqual({ id: "a", hardware: { model: "m" } });
    expect(parseSort("name desc,createdAt:asc")).toEqual([
      { path: ["name"], descending: true },
      { path: ["createdAt"], descending: false },
    ]);
    const items = [{ n: "b", k: 1 }, { n: "a", k: 2 }, { n: "b", k: 0 }];
    const sorted = listPage(items, { query: new URLSearchParams({ sort: "n desc, k" }), pagination: undefined, declared: new Set(["sort"]), responseFields: new Set() });
    expect(sorted.ok && sorted.body.items).toEqual([{ n: "b", k: 0 }, { n: "b", k: 1 }, { n: "a", k: 2 }]);
  });
});

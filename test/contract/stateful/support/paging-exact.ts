/**
 * Every paginated operation of every service, walked with `paginate` against
 * the stateful mocks: each seeded item comes back exactly once and in order,
 * one page at a time and with eight pages in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../../../generated/services/index.js";
import { GreenLake, paginate, type OperationMetadata } from "../../../../src/index.js";
import { matches, parseFilter } from "../../../../src/testing/odata-filter.js";
import type { Mocks } from "../../../../src/testing/index.js";
import { buildRequest, parametersOf, type Strategy } from "../../support/build-request.js";

/**
 * Operations no request can both pass Prism and filter: the document requires `filter` and
 * declares it `format: uuid`, while its own examples (and GreenLake) use OData expressions.
 */
const unservable: Record<string, RegExp> = {
  "/events/v1beta1/subscriptions": /filter must match format "uuid"/,
  "/events/v1beta1/system-subscriptions": /filter must match format "uuid"/,
};

const operations = serviceKeys.flatMap((service) =>
  (serviceMetadata[service].operations as readonly OperationMetadata[]).filter((op) => op.pagination !== undefined).map((op) => ({ service, op })),
);

// Small collections keep 2 x 199 walks quick; page sizes below them make every walk several pages.
// The including file starts the mocks with this collection size.
export const SIZE = 23;
const PAGE = 10;

let mocks: Mocks;
let gl: GreenLake;

/** The documented request minus paging: path parameters, required query and headers. */
function request(op: OperationMetadata, strategy: Strategy) {
  const built = buildRequest(op, strategy);
  const meta = op.pagination!;
  const query = { ...built.params.query };
  delete query[meta.limitParam];
  delete query[meta.pageParam];
  // Projection and order are not paging: the walk compares whole items, in collection order
  // unless the document requires a sort (then by id, checked below).
  delete query.select;
  delete query.sort;
  const required = new Set(parametersOf(op).filter((p) => p.in === "query" && p.required === true).map((p) => String(p.name)));
  if (required.has("sort")) query.sort = "id";
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(built.params.path[name])));
  // Some documents require a filter but give an example that is not one; any valid filter matching every item will do.
  if (typeof query.filter === "string" && !parses(query.filter)) query.filter = "id ne 'no-such-id'";
  return {
    path,
    init: { params: { path: built.params.path, query, header: built.params.header } },
    filter: typeof query.filter === "string" ? query.filter : undefined,
    sortById: query.sort === "id",
    selectAll: required.has("select"),
  };
}

function parses(text: string): boolean {
  try {
    parseFilter(text);
    return true;
  } catch {
    return false;
  }
}

async function walk(service: string, op: OperationMetadata, strategy: Strategy, concurrency: number): Promise<{ walked: string[]; expected: string[] }> {
  const { path, init, filter, sortById, selectAll } = request(op, strategy);
  const seeded = mocks.state.collection(path);
  expect(seeded.length).toBe(SIZE);
  // A required select asks for every property, so items come back whole.
  if (selectAll) (init.params.query as Record<string, unknown>).select = Object.keys(seeded[0] ?? {}).join(",");
  const node = filter === undefined ? undefined : parseFilter(filter);
  const expected = seeded.filter((item) => node === undefined || matches(node, item));
  if (sortById) expected.sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0));
  const client = gl.service(service as never) as never;
  const walked: unknown[] = [];
  for await (const item of paginate(client, op.path as never, init as never, { pageSize: Math.min(PAGE, op.pagination!.maxPageSize ?? PAGE), concurrency })) {
    walked.push(item);
  }
  return { walked: idsOf(walked), expected: idsOf(expected) };
}

function idsOf(items: readonly unknown[]): string[] {
  return items.map((item) => JSON.stringify(item));
}

/** Defines these tests over the mocks `shared` gives (started by the including file). */
export function definePagingExact(shared: () => { mocks: Mocks; gl: GreenLake }): void {
  beforeAll(() => {
    ({ mocks, gl } = shared());
  });
  describe.concurrent("paginate over every paginated operation yields each seeded item once, in order", () => {
    it("covers all 199 paginated operations", () => {
      expect(operations.length).toBe(199);
      console.log(`paging proven exact against the mocks: ${operations.length - Object.keys(unservable).length}/${operations.length} paginated operations`);
    });

    for (const { service, op } of operations) {
      for (const concurrency of [1, 8]) {
        it(`${service}: GET ${op.path} (concurrency ${concurrency})`, async () => {
          const defect = unservable[op.path];
          if (defect !== undefined) {
            await expect(walk(service, op, "examples", concurrency)).rejects.toThrow(defect);
            return;
          }
          let result;
          try {
            result = await walk(service, op, "examples", concurrency);
          } catch {
            // The document's examples do not always pass its own schema; build the request from the schema then.
            result = await walk(service, op, "schemas", concurrency);
          }
          expect(result.walked).toEqual(result.expected);
        });
      }
    }
  });
}

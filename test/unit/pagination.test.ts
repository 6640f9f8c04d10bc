import { describe, expect, expectTypeOf, it } from "vitest";
import { GreenLakeError, GreenLakeNotFoundError, GreenLakePaginationError } from "../../src/errors.js";
import { paginate, paginatePages } from "../../src/pagination.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, regionalService, stubFetch, type FixturePaths, type RecordedRequest, type ServerItem } from "./support/fixtures.js";

const servers = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}` }));

function client(handler: (r: RecordedRequest, i: number) => Response | Promise<Response>) {
  const stub = stubFetch(handler);
  const c = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch: stub.fetch, retry: false, env: {} });
  return { c, requests: stub.requests };
}

function query(r: RecordedRequest | undefined): URLSearchParams {
  return new URL(r!.url).searchParams;
}

/** Offset-in-items server over `servers`, with an optional delay per offset to scramble completion order. */
function offsetItems(delay: (offset: number) => number = () => 0) {
  return async (r: RecordedRequest) => {
    const q = query(r);
    const offset = Number(q.get("offset") ?? 0);
    const limit = Number(q.get("limit") ?? 3);
    await new Promise((res) => setTimeout(res, delay(offset)));
    const items = servers.slice(offset, offset + limit);
    return json({ items, count: items.length, offset, total: servers.length });
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("paginate", () => {
  it("lists different items that share an id, and still refuses the same item twice", async () => {
    const shared = [{ id: "CATEGORY", name: "a" }, { id: "CATEGORY", name: "b" }, { id: "OTHER", name: "c" }];
    const { c } = client((r) => {
      const offset = Number(query(r).get("offset") ?? 0);
      const items = shared.slice(offset);
      return json({ items, count: items.length, offset, total: 3 });
    });
    expect(await collect(paginate(c, "/compute-ops-mgmt/v1/servers"))).toEqual(shared);
    const twice = client(() => json({ items: [shared[0], shared[0]], count: 2, offset: 0, total: 2 }));
    await expect(collect(paginate(twice.c, "/compute-ops-mgmt/v1/servers"))).rejects.toThrow(/the same item twice/);
  });

  it("walks offset-in-items pages using the operation's maximum page size", async () => {
    const { c, requests } = client(offsetItems());
    const items = await collect(paginate(c, "/compute-ops-mgmt/v1/servers", { params: { query: { filter: "name eq 'x'" } } }));
    expectTypeOf(items).toEqualTypeOf<ServerItem[]>();
    expect(items.map((s) => s.id)).toEqual(servers.map((s) => s.id));
    expect(requests.map((r) => query(r).get("offset"))).toEqual(["0", "3", "6", "9"]);
    expect(requests.every((r) => query(r).get("limit") === "3" && query(r).get("filter") === "name eq 'x'")).toBe(true);
  });

  it("accepts the { query } shorthand", async () => {
    const { c, requests } = client(offsetItems());
    const items = await collect(paginate(c, "/compute-ops-mgmt/v1/servers", { query: { filter: "a eq 1" } }, { maxItems: 2 }));
    expectTypeOf(items).toEqualTypeOf<ServerItem[]>();
    expect(items).toHaveLength(2);
    expect(query(requests[0]).get("filter")).toBe("a eq 1");
  });

  it("stops at maxItems without fetching further pages", async () => {
    const { c, requests } = client(offsetItems());
    const items = await collect(paginate(c, "/compute-ops-mgmt/v1/servers", undefined, { maxItems: 4 }));
    expect(items.map((s) => s.id)).toEqual(["s0", "s1", "s2", "s3"]);
    expect(requests).toHaveLength(2);
    const few = await collect(paginate(c, "/compute-ops-mgmt/v1/servers", undefined, { maxItems: 2 }));
    expect(few.map((s) => s.id)).toEqual(["s0", "s1"]);
    // The page size stays the operation's maximum (pass pageSize to ask for fewer).
    expect(query(requests[2]).get("limit")).toBe("3");
    expect(requests).toHaveLength(3);
  });

  it("fetches remaining pages in parallel once total is known and still yields in order", async () => {
    let inFlight = 0;
    let peak = 0;
    const slowFirst = offsetItems((offset) => (offset === 3 ? 40 : 5));
    const { c, requests } = client(async (r) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await slowFirst(r);
      } finally {
        inFlight--;
      }
    });
    const items = await collect(paginate(c, "/compute-ops-mgmt/v1/servers", undefined, { concurrency: 3 }));
    expect(items.map((s) => s.id)).toEqual(servers.map((s) => s.id));
    expect(peak).toBe(3);
    expect(requests.map((r) => query(r).get("offset")).sort()).toEqual(["0", "3", "6", "9"]);
  });

  it("leaves no unhandled rejection when a later page fails while an earlier one is awaited", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on("unhandledRejection", onUnhandled);
    try {
      let laterPageFailed!: () => void;
      const failed = new Promise<void>((resolve) => (laterPageFailed = resolve));
      const { c } = client(async (r) => {
        const offset = Number(query(r).get("offset") ?? 0);
        if (offset === 6) {
          laterPageFailed();
          return json({ message: "boom" }, 500);
        }
        // Answers only after the later page failed, giving the process time to notice an unhandled rejection.
        if (offset === 3) await failed.then(() => new Promise((res) => setTimeout(res, 20)));
        const items = servers.slice(offset, offset + 3);
        return json({ items, count: items.length, offset, total: servers.length });
      });
      await expect(collect(paginate(c, "/compute-ops-mgmt/v1/servers", undefined, { concurrency: 3 }))).rejects.toBeInstanceOf(GreenLakeError);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("respects maxItems under concurrency", async () => {
    const { c } = client(offsetItems());
    const items = await collect(paginate(c, "/compute-ops-mgmt/v1/servers", undefined, { concurrency: 4, maxItems: 7 }));
    expect(items.map((s) => s.id)).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6"]);
  });

  it("walks offset-in-pages pages", async () => {
    const { c, requests } = client((r) => {
      const q = query(r);
      const page = Number(q.get("offset"));
      const limit = Number(q.get("limit"));
      return json({ items: servers.slice(page * limit, page * limit + limit), total: servers.length });
    });
    const items = await collect(paginate(c, "/compute-ops-mgmt/v1/pages"));
    expect(items.map((s) => s.id)).toEqual(servers.map((s) => s.id));
    // The last page is full, so page 5 confirms that `total` told the truth (it comes back empty).
    expect(requests.map((r) => query(r).get("offset"))).toEqual(["0", "1", "2", "3", "4", "5"]);
  });

  it("walks offset-in-pages pages in parallel in order", async () => {
    const { c } = client(async (r) => {
      const q = query(r);
      const page = Number(q.get("offset"));
      await new Promise((res) => setTimeout(res, (5 - page) * 5));
      return json({ items: servers.slice(page * 2, page * 2 + 2), total: servers.length });
    });
    const items = await collect(paginate(c, "/compute-ops-mgmt/v1/pages", undefined, { concurrency: 5 }));
    expect(items.map((s) => s.id)).toEqual(servers.map((s) => s.id));
  });

  it("follows a next cursor until it is absent", async () => {
    const cursors: Record<string, { items: { id: string }[]; next: string | null }> = {
      "": { items: [{ id: "a" }, { id: "b" }], next: "c1" },
      c1: { items: [{ id: "c" }, { id: "d" }], next: "/compute-ops-mgmt/v1/events?limit=2&next=c%2B2" },
      "c+2": { items: [{ id: "e" }], next: null },
    };
    const { c, requests } = client((r) => json(cursors[query(r).get("next") ?? ""]));
    const items = await collect(paginate(c, "/compute-ops-mgmt/v1/events"));
    expect(items.map((e) => e.id)).toEqual(["a", "b", "c", "d", "e"]);
    expect(requests.map((r) => new URL(r.url).search)).toEqual(["?limit=2", "?limit=2&next=c1", "?limit=2&next=c%2B2"]);
  });

  it("stops with an error when the cursor does not advance", async () => {
    const { c, requests } = client(() => json({ items: [{ id: "a" }], next: "same" }));
    await expect(collect(paginate(c, "/compute-ops-mgmt/v1/events"))).rejects.toThrow(/cursor did not advance/);
    expect(requests.length).toBeLessThanOrEqual(3);
  });

  it("stops with an error when the server ignores the offset", async () => {
    const { c, requests } = client(() => json({ items: servers.slice(0, 3), count: 3, total: 10 }));
    await expect(collect(paginate(c, "/compute-ops-mgmt/v1/servers"))).rejects.toThrow(/not advancing/);
    expect(requests).toHaveLength(2);
  });

  it("stops with an error when the server echoes a different offset", async () => {
    const { c } = client(() => json({ items: servers.slice(0, 3), offset: 0, total: 10 }));
    await expect(collect(paginate(c, "/compute-ops-mgmt/v1/servers"))).rejects.toThrow(GreenLakeError);
  });

  it("yields whole pages with paginatePages", async () => {
    const { c } = client(offsetItems());
    const pages = await collect(paginatePages(c, "/compute-ops-mgmt/v1/servers", undefined, { pageSize: 5 }));
    expect(pages.map((p) => p.items.length)).toEqual([5, 5]);
    expect(pages[0]?.total).toBe(10);
  });

  it("throws the typed error of a failed page", async () => {
    const { c } = client(() => json({ httpStatusCode: 404, errorCode: "HPE-GL-404", message: "gone", debugId: "x" }, 404));
    await expect(collect(paginate(c, "/compute-ops-mgmt/v1/servers"))).rejects.toBeInstanceOf(GreenLakeNotFoundError);
  });

  it("lists everything concurrently from a server that serves fewer items than asked", async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ id: `m${i}` }));
    const { c, requests } = client((r) => {
      const offset = Number(query(r).get("offset") ?? 0);
      // Asked for 10 a page, serves 7.
      const items = many.slice(offset, offset + Math.min(7, Number(query(r).get("limit"))));
      return json({ items, count: items.length, offset, total: many.length });
    });
    const items = await collect(paginate(c, "/compute-ops-mgmt/v1/servers", undefined, { concurrency: 4, pageSize: 10 }));
    expect(items.map((s) => s.id)).toEqual(many.map((s) => s.id));
    // Planned in steps of what the server served: no page asked twice, one more to confirm the end.
    expect(requests).toHaveLength(Math.ceil(250 / 7) + 1);
  });

  it("plans pages lazily: a huge total costs no memory, and a listing that runs dry before it fails loudly", async () => {
    const { c, requests } = client((r) => {
      const offset = Number(query(r).get("offset") ?? 0);
      const items = offset < 9 ? servers.slice(offset, offset + 3) : [];
      return json({ items, count: items.length, offset, total: 1e12 });
    });
    const listing = collect(paginate(c, "/compute-ops-mgmt/v1/servers", undefined, { concurrency: 8 }));
    await expect(listing).rejects.toThrow(GreenLakePaginationError);
    await expect(listing).rejects.toThrow(/GET \/compute-ops-mgmt\/v1\/servers at offset 9: the page is empty but "total" is 1000000000000/);
    expect(requests.length).toBeLessThanOrEqual(4 + 8);
  });

  it("fails loudly on an empty page before total", async () => {
    const { c } = client((r) => {
      const offset = Number(query(r).get("offset") ?? 0);
      return json({ items: offset === 3 ? [] : servers.slice(offset, offset + 3), total: servers.length });
    });
    await expect(collect(paginate(c, "/compute-ops-mgmt/v1/servers"))).rejects.toThrow(GreenLakePaginationError);
  });

  it("follows a cursor through an empty page", async () => {
    const cursors: Record<string, { items: { id: string }[]; next: string | null }> = {
      "": { items: [{ id: "a" }], next: "c1" },
      c1: { items: [], next: "c2" },
      c2: { items: [{ id: "b" }], next: null },
    };
    const { c } = client((r) => json(cursors[query(r).get("next") ?? ""]));
    expect((await collect(paginate(c, "/compute-ops-mgmt/v1/events"))).map((e) => e.id)).toEqual(["a", "b"]);
  });

  it("stops a cursor cycle whose cursors are spelt differently each time", async () => {
    let turn = 0;
    const { c, requests } = client((r) => {
      const page = (query(r).get("next") ?? "A").startsWith("A") ? "A" : "B";
      turn++;
      return json({ items: [{ id: page }], next: `${page === "A" ? "B" : "A"}-${turn}` });
    });
    await expect(collect(paginate(c, "/compute-ops-mgmt/v1/events"))).rejects.toThrow(/at cursor "A-2": the page starts like an earlier page/);
    expect(requests).toHaveLength(3);
  });

  it("refuses an operation that does not paginate", async () => {
    const { c } = client(() => json({}));
    await expect(collect(paginate(c, "/compute-ops-mgmt/v1/servers/{id}" as never))).rejects.toThrow(/not a paginated operation/);
  });
});

/**
 * Generated server behaviours against `paginate`, through a real client and a
 * stub HTTP server on 127.0.0.1: a listing is exact, or fails with a
 * GreenLakePaginationError that names the request; leaving a concurrent
 * listing aborts the pages in flight.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadata as computeMetadata } from "../../generated/services/compute-ops-mgmt.js";
import { metadata as identityMetadata } from "../../generated/services/identity.js";
import { metadata as wellnessMetadata } from "../../generated/services/wellness.js";
import { GreenLakePaginationError } from "../../src/errors.js";
import type { ServiceMetadata } from "../../src/metadata.js";
import { paginate } from "../../src/pagination.js";
import { createServiceClient, type ServiceClient } from "../../src/service-client.js";

type Style = "items" | "pages" | "cursor";

const LISTS: Record<Style, { metadata: ServiceMetadata; path: string }> = {
  items: { metadata: computeMetadata as ServiceMetadata, path: "/compute-ops-mgmt/v1/servers" },
  pages: { metadata: identityMetadata as ServiceMetadata, path: "/identity/v1/users" },
  cursor: { metadata: wellnessMetadata as ServiceMetadata, path: "/wellness/v2/events" },
};

interface Item {
  readonly id: string;
  readonly key: number;
}

/** How the stub serves one listing; request numbers count the page requests it answered, in arrival order. */
interface Behaviour {
  readonly style: Style;
  readonly n: number;
  readonly pageSize: number;
  readonly concurrency: number;
  readonly maxItems: number | undefined;
  /** Most items served per request (cycled through), below what was asked: a capping server; empty serves what is asked. */
  readonly caps: readonly number[];
  /** Reported total minus the true count, on every page (a lying total). */
  readonly totalLie: number;
  /** Further difference on some requests only (a total that changes). */
  readonly wobble: ReadonlyMap<number, number>;
  /** An item inserted (at a fraction of the list) or deleted before answering that request. */
  readonly mutations: ReadonlyMap<number, { readonly insert: boolean; readonly at: number }>;
  /** The page repeats one of its own items, or starts one item early (repeating the previous page's last). */
  readonly duplicates: ReadonlyMap<number, "within" | "previous">;
  /** Requests answered with an empty page (a cursor style page still carries a cursor to the same place). */
  readonly empties: ReadonlySet<number>;
  /** From this request on, the server goes `back` pages: offsets ignored, or a cursor (maybe spelt differently) already issued. */
  readonly cycle: { readonly at: number; readonly back: number; readonly alias: boolean } | undefined;
  /** Arrivals answered 503 (the client's retry then asks again). */
  readonly failures: ReadonlySet<number>;
}

/** Whether a correct client must list this exactly: the server is honest and its pages line up. */
function mustSucceed(b: Behaviour): boolean {
  return (
    b.totalLie === 0 &&
    b.wobble.size === 0 &&
    b.mutations.size === 0 &&
    b.duplicates.size === 0 &&
    b.cycle === undefined &&
    (b.style === "cursor" || b.empties.size === 0) &&
    // Pages of `limit` items cannot be read exactly from a server whose page size keeps changing.
    (b.style !== "pages" || b.caps.length <= 1)
  );
}

interface Served {
  readonly position: number;
  readonly limit: number;
  readonly count: number;
  readonly total: number;
}

/** The stub's state for one listing. */
class Listing {
  readonly list: Item[];
  readonly initial: readonly Item[];
  readonly removed = new Set<string>();
  readonly inserted = new Set<string>();
  readonly served: Served[] = [];
  readonly issued: string[] = ["k-Infinity"];
  mutated = false;
  arrivals = 0;
  answered = 0;
  private nextId: number;

  constructor(readonly b: Behaviour) {
    this.list = Array.from({ length: b.n }, (_, i) => ({ id: `i${i}`, key: i }));
    this.initial = [...this.list];
    this.nextId = b.n;
  }

  private mutate(r: number): void {
    const m = this.b.mutations.get(r);
    if (m === undefined) return;
    if (m.insert) {
      this.mutated = true;
      const at = Math.floor(m.at * (this.list.length + 1));
      const lo = at > 0 ? this.list[at - 1]!.key : (this.list[0]?.key ?? 0) - 2;
      const hi = at < this.list.length ? this.list[at]!.key : lo + 2;
      const item = { id: `i${this.nextId++}`, key: (lo + hi) / 2 };
      this.list.splice(at, 0, item);
      this.inserted.add(item.id);
    } else if (this.list.length > 0) {
      this.mutated = true;
      const [gone] = this.list.splice(Math.min(this.list.length - 1, Math.floor(m.at * this.list.length)), 1);
      this.removed.add(gone!.id);
    }
  }

  answer(query: URLSearchParams, _req: IncomingMessage, res: ServerResponse): void {
    const arrival = this.arrivals++;
    if (this.b.failures.has(arrival)) return send(res, 503, { httpStatusCode: 503, errorCode: "HPE_GL_UNAVAILABLE", message: "try again" });
    const r = this.answered++;
    this.mutate(r);
    const limit = Number(query.get("limit"));
    const cap = this.b.caps.length === 0 ? limit : this.b.caps[r % this.b.caps.length]!;
    const size = Math.min(limit, cap);
    const total = this.list.length + this.b.totalLie + (this.b.wobble.get(r) ?? 0);
    const cycling = this.b.cycle !== undefined && r >= this.b.cycle.at;
    const duplicate = this.b.duplicates.get(r);
    const empty = this.b.empties.has(r);
    if (this.b.style === "cursor") {
      const cursor = query.get("next") ?? "k-Infinity";
      const after = Number(/^k([^~]*)/.exec(cursor)?.[1]);
      let items = this.list.filter((item) => item.key > after).slice(0, size);
      const more = items.length > 0 && this.list[this.list.length - 1]!.key > items[items.length - 1]!.key;
      let next: string | null = more ? `k${items[items.length - 1]!.key}` : null;
      if (empty) {
        items = [];
        next = `${cursor}~e${r}`;
      }
      if (duplicate === "within" && items.length > 0) items = [...items, items[0]!];
      const previous = this.list.find((item) => item.key === after);
      if (duplicate === "previous" && previous !== undefined) items = [previous, ...items];
      if (cycling && r === this.b.cycle!.at) {
        const back = this.issued[Math.max(0, this.issued.length - this.b.cycle!.back)]!;
        next = this.b.cycle!.alias ? `${back}~c${r}` : back;
      }
      if (next !== null) this.issued.push(next);
      return send(res, 200, { items, count: items.length, next });
    }
    const asked = Number(query.get("offset") ?? 0);
    const byPages = this.b.style === "pages";
    // A server ignoring the offset answers for a page `back` pages earlier, echoing the offset it was asked for.
    const position = cycling ? Math.max(0, asked - (byPages ? 1 : size) * this.b.cycle!.back) : asked;
    let start = byPages ? position * size : position;
    if (duplicate === "previous" && start > 0) start -= 1;
    let items = empty ? [] : this.list.slice(start, start + size);
    if (duplicate === "within" && items.length > 0) items = [...items, items[0]!];
    this.served.push({ position: byPages ? asked * size : asked, limit, count: items.length, total });
    send(res, 200, { items, count: items.length, offset: asked, total });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const requestNumbers = (max: number) => fc.integer({ min: 1, max });

const behaviour: fc.Arbitrary<Behaviour> = fc
  .record({
    style: fc.constantFrom<Style>("items", "pages", "cursor"),
    n: fc.integer({ min: 0, max: 30 }),
    pageSize: fc.integer({ min: 1, max: 7 }),
    concurrency: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 8 })),
    maxItems: fc.option(fc.integer({ min: 1, max: 35 }), { nil: undefined }),
    caps: fc.oneof(fc.constant([]), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 })),
    totalLie: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, fc.integer({ min: -6, max: 6 }), fc.constant(1e12)),
    wobble: fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, fc.array(fc.tuple(requestNumbers(12), fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0)), { maxLength: 3 })),
    mutations: fc.oneof(
      { weight: 5, arbitrary: fc.constant([]) },
      fc.array(fc.tuple(requestNumbers(12), fc.record({ insert: fc.boolean(), at: fc.double({ min: 0, max: 0.999, noNaN: true }) })), { maxLength: 4 }),
    ),
    duplicates: fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, fc.array(fc.tuple(requestNumbers(10), fc.constantFrom<"within" | "previous">("within", "previous")), { maxLength: 2 })),
    empties: fc.oneof({ weight: 5, arbitrary: fc.constant([]) }, fc.array(requestNumbers(10), { maxLength: 3 })),
    cycle: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, fc.record({ at: requestNumbers(8), back: fc.integer({ min: 1, max: 6 }), alias: fc.boolean() })),
    failures: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 3 })),
  })
  .map((g) => {
    const mutations = new Map(g.mutations);
    const wobble = mutations.size > 0 ? new Map<number, number>() : new Map(g.wobble);
    // A cursor the server hands out again after the list changed leads to a page never seen: that needs per-item memory.
    const cycle = g.style === "cursor" && mutations.size > 0 ? undefined : g.cycle;
    // An offset server going back by its own varying page size lands between pages already seen, not on one.
    // A page-numbered server whose page size shrinks for one request can serve earlier items as the last
    // page, ending exactly at the total: telling them apart needs per-item memory. One page size per listing.
    const caps = g.style === "items" && cycle !== undefined ? [] : g.style === "pages" ? g.caps.slice(0, 1) : g.caps;
    return {
      ...g,
      caps,
      cycle,
      wobble,
      mutations,
      duplicates: new Map(g.duplicates),
      empties: new Set(g.empties),
      failures: new Set(g.failures),
    } satisfies Behaviour;
  });

let server: Server;
let port = 0;
const listings = new Map<string, { answer(query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void }>();
let runs = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stub.invalid");
    // Each listing has its own header, so a late request of an earlier one cannot disturb it.
    const run = req.headers["x-listing"] as string | undefined;
    const listing = run === undefined ? undefined : listings.get(run);
    if (listing === undefined) return send(res, 410, { message: "listing over" });
    listing.answer(url.searchParams, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const clients = new Map<Style, ServiceClient<any>>();
function clientFor(style: Style): ServiceClient<any> {
  let client = clients.get(style);
  if (client === undefined) {
    client = createServiceClient<any>(LISTS[style].metadata, {
      baseUrl: `http://127.0.0.1:${port}`,
      token: "t",
      retry: { maxAttempts: 4, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 },
      // Pacing has its own tests; here it would only spread thousands of page requests over minutes.
      pacing: false,
      env: {},
    });
    clients.set(style, client);
  }
  return client;
}

/** Success with items in the collection's order, or the typed error. */
async function list(b: Behaviour): Promise<{ listing: Listing; items?: Item[]; error?: unknown }> {
  const run = `run-${++runs}`;
  const listing = new Listing(b);
  listings.set(run, listing);
  const items: Item[] = [];
  try {
    const options = { pageSize: b.pageSize, concurrency: b.concurrency, ...(b.maxItems === undefined ? {} : { maxItems: b.maxItems }) };
    for await (const item of paginate(clientFor(b.style), LISTS[b.style].path as never, { headers: { "x-listing": run } } as never, options)) items.push(item as Item);
    return { listing, items };
  } catch (error) {
    return { listing, error };
  } finally {
    listings.delete(run);
  }
}

/**
 * A server that serves a page shorter than asked and reports a total equal to
 * what it served so far has said, consistently, that the listing ends there;
 * only one more request per listing could tell otherwise.
 */
function serverDeclaredEnd(listing: Listing, count: number): boolean {
  return listing.served.some((s) => s.count < s.limit && s.position + s.count === count && s.total === count);
}

describe("paginate against generated server behaviour", () => {
  it("yields exactly the server's items in order, or throws a GreenLakePaginationError that says where", async () => {
    await fc.assert(
      fc.asyncProperty(behaviour, async (b) => {
        const { listing, items, error } = await list(b);
        const path = LISTS[b.style].path;
        if (items === undefined) {
          expect(error, String(error)).toBeInstanceOf(GreenLakePaginationError);
          const message = (error as Error).message;
          expect(message).toContain(`GET ${path} at `);
          expect(message).toMatch(/offset|cursor/);
          expect(mustSucceed(b), message).toBe(false);
          return;
        }
        const ids = items.map((item) => item.id);
        expect(new Set(ids).size).toBe(ids.length);
        const limit = b.maxItems ?? Number.POSITIVE_INFINITY;
        const expected = listing.initial.slice(0, limit).map((item) => item.id);
        if (!listing.mutated || b.style !== "cursor") {
          // Offset listings see every change in `total`: a successful one read a list that did not change under it.
          if (ids.length < expected.length && b.style !== "cursor" && serverDeclaredEnd(listing, ids.length)) {
            expect(mustSucceed(b)).toBe(false);
            expect(ids).toEqual(expected.slice(0, ids.length));
          } else expect(ids).toEqual(expected);
          return;
        }
        // A cursor listing of a list that changed while being read: every item that stayed is there, once, in order; nothing invented.
        const keys = items.map((item) => item.key);
        expect(keys).toEqual([...keys].sort((x, y) => x - y));
        const known = new Set([...listing.initial.map((item) => item.id), ...listing.inserted]);
        expect(ids.every((id) => known.has(id))).toBe(true);
        const last = keys.length === limit ? keys[keys.length - 1]! : Number.POSITIVE_INFINITY;
        const stayed = listing.initial.filter((item) => !listing.removed.has(item.id) && item.key <= last).map((item) => item.id);
        expect(stayed.filter((id) => !ids.includes(id))).toEqual([]);
      }),
      { numRuns: 250 },
    );
  }, 300_000);
});

/** Answers the first two pages at once and holds every later one until the client lets go of it. */
class HoldingListing {
  readonly held: { closed: boolean }[] = [];
  private onChange = (): void => {};

  constructor(
    readonly style: "items" | "pages",
    readonly total: number,
  ) {}

  answer(query: URLSearchParams, _req: IncomingMessage, res: ServerResponse): void {
    const offset = Number(query.get("offset") ?? 0);
    const limit = Number(query.get("limit"));
    if (offset === 0 || offset === (this.style === "pages" ? 1 : limit)) {
      const first = this.style === "pages" ? offset * limit : offset;
      const items = Array.from({ length: limit }, (_, i) => ({ id: `h${first + i}`, key: first + i }));
      return send(res, 200, { items, count: limit, offset, total: this.total });
    }
    const entry = { closed: false };
    this.held.push(entry);
    res.on("close", () => {
      entry.closed = true;
      this.onChange();
    });
    this.onChange();
  }

  /** Resolves once `check` holds, or fails after a generous bound instead of hanging the suite. */
  until(check: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gave up waiting: ${what}`)), 30_000);
      this.onChange = () => {
        if (check()) {
          clearTimeout(timer);
          resolve();
        }
      };
      this.onChange();
    });
  }
}

async function drain(pages: AsyncGenerator<unknown>): Promise<void> {
  while (!(await pages.next()).done);
}

describe("leaving a concurrent listing", () => {
  it("aborts every page in flight, on break and on the caller's signal", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<"items" | "pages">("items", "pages"),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(10_000, 1e12),
        fc.boolean(),
        async (style, concurrency, pageSize, total, bySignal) => {
          const run = `run-${++runs}`;
          const listing = new HoldingListing(style, total);
          listings.set(run, listing);
          const caller = new AbortController();
          const init = bySignal ? { headers: { "x-listing": run }, signal: caller.signal } : { headers: { "x-listing": run } };
          const pages = paginate(clientFor(style), LISTS[style].path as never, init as never, { pageSize, concurrency });
          try {
            // Into the second page: the pages after it are in flight (held by the server).
            for (let i = 0; i <= pageSize; i++) expect((await pages.next()).done).toBe(false);
            await listing.until(() => listing.held.length >= concurrency - 1, `${concurrency - 1} pages in flight`);
            if (bySignal) caller.abort();
            else await pages.return(undefined);
            await listing.until(() => listing.held.every((h) => h.closed), "every page in flight aborted");
            expect(listing.held.length).toBeLessThanOrEqual(concurrency);
            // The items already received are still handed out; then the aborted page surfaces as the listing's error.
            if (bySignal) await expect(drain(pages)).rejects.toBeDefined();
          } finally {
            listings.delete(run);
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 300_000);
});

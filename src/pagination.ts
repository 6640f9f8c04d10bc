/**
 * Async iteration over GreenLake list operations, driven by the generated
 * pagination metadata: offset in items (with `total`), offset in pages, or a `next` cursor.
 *
 * One loop requests pages; a small strategy per style says where the next page
 * is and throws when a page contradicts the earlier ones, so a listing is
 * either exact or fails with a `GreenLakePaginationError`.
 */
import type { FetchResponse, MaybeOptionalInit } from "openapi-fetch";
import type { PathsWithMethod } from "openapi-typescript-helpers";
import { notPaginatedError, paginationError, positiveIntegerError, throwUnlessOk } from "./errors.js";
import type { PaginationMetadata } from "./metadata.js";
import { nodeCrypto } from "./internal/node-crypto.js";
import { followAbort } from "./internal/timeouts.js";
import { operationOf, type ServiceClient } from "./service-client.js";

export interface PaginateOptions {
  /** Stop after this many items. */
  maxItems?: number;
  /** Items per request; default the operation's maximum. */
  pageSize?: number;
  /**
   * Pages requested at once once the first page showed `total` and the
   * server's page size (offset styles); items are still yielded in order. Default 1.
   */
  concurrency?: number;
}

type Media = `${string}/${string}`;
type GetOperation<P, Path extends keyof P> = P[Path] extends { get: infer Op } ? Op : never;
type PageData<P, Path extends keyof P> = NonNullable<
  FetchResponse<GetOperation<P, Path> & Record<string | number, any>, {}, Media>["data"]
>;
type ItemOf<Data> = Data extends { items?: infer A } ? (NonNullable<A> extends readonly (infer I)[] ? I : unknown) : unknown;
type Init<P, Path extends keyof P> = MaybeOptionalInit<P[Path] & Record<string, any>, "get">;

type QueryOf<P, Path extends keyof P> = GetOperation<P, Path> extends { parameters: { query?: infer Q } } ? Q : never;

/**
 * What a page request may carry besides paging: openapi-fetch's init
 * (`{ params: { query, path }, headers }`), or just `{ query }`.
 */
export type PageInit<P, Path extends keyof P> = Init<P, Path> | { query?: QueryOf<P, Path> } | undefined;

interface Page {
  readonly data: Record<string, unknown>;
  readonly items: readonly unknown[];
}

type Unit = "items" | "pages" | "cursor";
type Fail = (position: unknown, problem: string, advice: string) => never;

/** The strategy's answer when the listing is complete. */
const DONE = Symbol("done");

/** Where pages are and when a page contradicts the earlier ones, for one paging style. */
interface Strategy {
  /** Position of the first request; undefined sends no page parameter. */
  readonly first: unknown;
  /** Page size to ask for (the offset-pages style may learn the server's on the first page). */
  limit(): number | undefined;
  /** Checks a page (throws when it contradicts the earlier ones); returns the next position or DONE. */
  after(page: Page, position: unknown): unknown;
  /** The position after `position` if pages keep the first page's size, to request ahead; undefined when none is planned. */
  planAfter?(position: unknown): unknown;
}

// Stop a cursor listing that only ever hands out new cursors to empty pages instead of following it forever.
const MAX_EMPTY_PAGES_IN_A_ROW = 25;
const LIST_AGAIN = "List again; if it keeps happening, narrow the listing with a filter so it does not change while being read.";
const SERVER_FAULT = "Stopped instead of returning a short or duplicated list; report the server's behaviour to HPE support if it persists.";

function positiveInteger(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw positiveIntegerError(name);
  return value;
}

/** A short, fixed-size key: the memory kept per page stays small whatever the page holds. */
function fingerprint(text: string): string {
  return nodeCrypto().createHash("sha1").update(text).digest("base64");
}

/** A cursor decoded; one with a malformed escape (a lone `%`) goes back exactly as the server wrote it. */
function decodedCursor(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Pulls the cursor out of a `next` value that may be a bare token, a path or a URL.
 * decodeURIComponent, not URLSearchParams: a raw `+` in a cursor is a plus, not a space.
 */
function cursorOf(next: unknown, param: string): string | undefined {
  if (typeof next !== "string" || next === "") return undefined;
  const q = next.indexOf("?");
  if (q === -1) return next;
  for (const pair of next.slice(q + 1).split("&")) {
    const eq = pair.indexOf("=");
    if (eq !== -1 && pair.slice(0, eq) === param) return decodedCursor(pair.slice(eq + 1));
  }
  return next;
}

/**
 * Offset in items or in pages. The first page gives `total` and the server's
 * page size; every later page must agree with them: same `total`, the offset
 * echoed as asked, nothing beyond `total`, no empty page before it. A page
 * shorter than asked ends the listing only when it reaches `total` and the
 * server has not shown that it serves fewer items than asked (a cap);
 * otherwise the end is confirmed by one more request that must come back empty.
 */
function offsetStrategy(byPages: boolean, start: number, asked: number | undefined, totalField: string | undefined, maxItems: number, fail: Fail): Strategy {
  const totalName = `"${totalField ?? "total"}"`;
  let limit = asked;
  let total: number | undefined;
  let size = 0;
  let firstPage = true;
  let trustShort = true;
  let mustEnd = false;
  const itemsBefore = (position: number): number => (byPages ? position * (limit ?? size) : position);
  return {
    first: start,
    limit: () => limit,
    after(page, at) {
      const position = at as number;
      const count = page.items.length;
      const echoed = page.data.offset;
      if (typeof echoed === "number" && echoed !== position) fail(position, `the server answered for offset ${echoed}`, SERVER_FAULT);
      const reported = totalField === undefined ? undefined : page.data[totalField];
      if (firstPage) {
        total = typeof reported === "number" && Number.isSafeInteger(reported) && reported >= 0 ? reported : undefined;
        if (total === undefined && reported !== undefined && reported !== null) fail(position, `${totalName} is ${JSON.stringify(reported)}, not a count`, SERVER_FAULT);
      }
      // A page without a total says nothing about it; a different one means the list changed.
      else if (total !== undefined && reported !== undefined && reported !== null && reported !== total) {
        fail(position, `${totalName} changed from ${total} to ${String(reported)}: items were added or removed while listing, so offsets shifted`, LIST_AGAIN);
      }
      const before = itemsBefore(position);
      if (mustEnd && count > 0) fail(position, `a page shorter than ${limit} items was followed by more items, so the pages do not line up`, `Pass a pageSize of at most ${size}.`);
      if (count === 0) {
        if (total !== undefined && before < total) fail(position, `the page is empty but ${totalName} is ${total} (${total - before} more expected)`, LIST_AGAIN);
        return DONE;
      }
      const reached = before + count;
      if (total !== undefined && reached > total) fail(position, `the page ends at item ${reached} but ${totalName} is ${total}`, SERVER_FAULT);
      const wasFirst = firstPage;
      firstPage = false;
      if (wasFirst) size = count;
      if (byPages && limit === undefined) limit = count;
      if (byPages && count > limit!) fail(position, `the page has ${count} items, more than the ${limit} asked for`, SERVER_FAULT);
      const short = limit !== undefined && count < limit;
      if (short && (total === undefined || reached < total)) {
        // The server serves fewer items than asked: from now on a short page does not mark the end.
        trustShort = false;
        if (byPages) {
          // Pages count in the server's page size: learn it from the first page, or stop before skipping items.
          if (wasFirst && position === 0 && total !== undefined) limit = count;
          else if (total !== undefined) fail(position, `the page has ${count} of ${limit} items but ${totalName} says ${total - reached} more follow; the next page would skip items`, `Pass a pageSize of at most ${count}.`);
          else mustEnd = true;
        }
      }
      if (total !== undefined && reached === total && short && (trustShort || byPages)) return DONE;
      return byPages ? position + 1 : reached;
    },
    planAfter(at) {
      if (total === undefined || size === 0 || mustEnd) return undefined;
      const end = Math.min(total, itemsBefore(start) + maxItems);
      const next = byPages ? (at as number) + 1 : (at as number) + size;
      return itemsBefore(next) < end ? next : undefined;
    },
  };
}

/**
 * A `next` cursor. Follows it through empty pages; an empty page whose cursor
 * points back at itself ends the listing; any other cursor already asked for
 * stops it with an error (kept as fingerprints: one small string per page).
 */
function cursorStrategy(start: string | undefined, nextField: string, param: string, limit: number | undefined, fail: Fail): Strategy {
  const asked = new Set<string>();
  if (start !== undefined) asked.add(fingerprint(start));
  let emptyInARow = 0;
  return {
    first: start,
    limit: () => limit,
    after(page, cursor) {
      const next = cursorOf(page.data[nextField], param);
      if (next === undefined) return DONE;
      // An empty page that points back at itself is how some APIs say "no more": nothing is left out.
      if (page.items.length === 0 && next === cursor) return DONE;
      const key = fingerprint(next);
      if (asked.has(key)) fail(cursor, `the "${nextField}" cursor leads back to a page already listed (the cursor did not advance)`, SERVER_FAULT);
      asked.add(key);
      emptyInARow = page.items.length === 0 ? emptyInARow + 1 : 0;
      if (emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW) fail(cursor, `${emptyInARow} empty pages in a row, each with a new cursor`, SERVER_FAULT);
      return next;
    },
  };
}

/** A cheap key to find the same item again: its `id` where it has one, else its JSON. */
function itemKey(item: unknown): string {
  const id = item !== null && typeof item === "object" ? (item as { id?: unknown }).id : undefined;
  return typeof id === "string" || typeof id === "number" ? `id:${id}` : `json:${JSON.stringify(item)}`;
}

/** Whether `item` is one already seen under its key: the same key and, since ids need not be unique, the same content. */
function seenBefore(seen: ReadonlyMap<string, unknown>, key: string, item: unknown): boolean {
  if (!seen.has(key)) return false;
  const other = seen.get(key);
  return other === item || JSON.stringify(other) === JSON.stringify(item);
}

/**
 * Checks shared by every style, with memory bounded by one page plus one
 * fingerprint per page: no item twice within a page or across two consecutive
 * pages of items, and no page starting with an item that started an earlier
 * page (a cycle, whatever the cursors or offsets said).
 */
function repeatGuard(fail: Fail): (page: Page, position: unknown) => void {
  const pageHeads = new Set<string>();
  let previous = new Map<string, unknown>();
  return (page, position) => {
    const current = new Map<string, unknown>();
    for (const item of page.items) {
      const key = itemKey(item);
      if (seenBefore(current, key, item)) fail(position, "the page lists the same item twice", SERVER_FAULT);
      if (seenBefore(previous, key, item)) fail(position, "the page repeats an item of the previous page: items were inserted before it while listing, or the server is not advancing", LIST_AGAIN);
      if (!current.has(key)) current.set(key, item);
    }
    if (page.items.length > 0) {
      // The whole first item, not its id alone: two different items may share an id.
      const head = fingerprint(JSON.stringify(page.items[0]));
      if (pageHeads.has(head)) fail(position, "the page starts like an earlier page: the listing is not advancing (a cycle)", SERVER_FAULT);
      pageHeads.add(head);
      // An empty page in between does not separate two pages of items.
      previous = current;
    }
  };
}

interface Linked {
  readonly controller: AbortController;
  unlink(): void;
}

/** An AbortController that also aborts when `parent` does. */
function linkedTo(parent: AbortSignal | null | undefined): Linked {
  const controller = new AbortController();
  if (parent === null || parent === undefined) return { controller, unlink: () => {} };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, unlink: () => {} };
  }
  // Through the runtime's one listener per signal: many listings sharing a caller's signal add none of their own.
  return { controller, unlink: followAbort(parent, () => controller.abort(parent.reason)) };
}

type Getter = (path: string, init: unknown) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
type LooseInit = {
  params?: { query?: Record<string, unknown> } & Record<string, unknown>;
  query?: Record<string, unknown>;
  signal?: AbortSignal | null;
} & Record<string, unknown>;

/** Every page of a list operation, in order. */
export async function* paginatePages<P extends {}, Path extends PathsWithMethod<P, "get">>(
  client: ServiceClient<P>,
  path: Path,
  init?: PageInit<P, Path>,
  options: PaginateOptions = {},
): AsyncGenerator<PageData<P, Path>, void, undefined> {
  const where = String(path);
  const op = operationOf(client, "get", where);
  const meta: PaginationMetadata | undefined = op?.pagination;
  if (meta === undefined) throw notPaginatedError(where, client.metadata.service);
  const maxItems = positiveInteger(options.maxItems, "maxItems") ?? Number.POSITIVE_INFINITY;
  const concurrency = positiveInteger(options.concurrency, "concurrency") ?? 1;
  const { signal: callerSignal, ...initWithoutSignal } = (init ?? {}) as LooseInit;
  let baseInit: LooseInit = initWithoutSignal;
  if (baseInit.query !== undefined && baseInit.params === undefined) {
    const { query: shorthand, ...rest } = baseInit;
    baseInit = { ...rest, params: { query: shorthand } };
  }
  const baseQuery = baseInit.params?.query ?? {};
  const requestedSize = options.pageSize ?? (baseQuery[meta.limitParam] as number | undefined) ?? meta.maxPageSize;
  const pageSize = positiveInteger(requestedSize, "pageSize");

  const unit: Unit = meta.style === "cursor" ? "cursor" : meta.style === "offset-pages" ? "pages" : "items";
  const fail: Fail = (position, problem, advice) => {
    throw paginationError(where, position, unit, problem, advice);
  };
  const strategy =
    meta.style === "cursor"
      ? cursorStrategy(baseQuery[meta.pageParam] as string | undefined, meta.nextField ?? "next", meta.pageParam, pageSize, fail)
      : offsetStrategy(meta.style === "offset-pages", (baseQuery[meta.pageParam] as number | undefined) ?? 0, pageSize, meta.totalField, maxItems, fail);
  const guard = repeatGuard(fail);
  const get = client.GET as unknown as Getter;

  const request = (position: unknown, signal: AbortSignal): Promise<Page> => {
    const query: Record<string, unknown> = { ...baseQuery };
    const limit = strategy.limit();
    if (limit !== undefined) query[meta.limitParam] = limit;
    if (position === undefined) delete query[meta.pageParam];
    else query[meta.pageParam] = position;
    const page = get(where, { ...baseInit, params: { ...baseInit.params, query }, signal }).then((result) => {
      throwUnlessOk(result, "GET", where);
      const data = (result.data ?? {}) as Record<string, unknown>;
      const items = data[meta.itemsField];
      if (!Array.isArray(items)) fail(position, `the response has no "${meta.itemsField}" array to page through`, SERVER_FAULT);
      return { data, items: items as unknown[] };
    });
    // A page requested ahead may fail, or never be read, while another is awaited: awaiting it still throws.
    page.catch(() => {});
    return page;
  };

  // One controller per listing, joined with the caller's signal: leaving the loop aborts every page in flight.
  const listing = linkedTo(callerSignal);
  // Pages requested ahead share a window that is aborted when a page does not end where the plan expected.
  let window = linkedTo(listing.controller.signal);
  let ahead: { position: unknown; page: Promise<Page> }[] = [];
  let planning = concurrency > 1 && strategy.planAfter !== undefined;

  /** The page at `position`: requested ahead if the plan held, else requested now (dropping a plan that did not hold). */
  const take = (position: unknown): Promise<Page> => {
    const head = ahead[0];
    if (head !== undefined && head.position === position) {
      ahead.shift();
      return head.page;
    }
    if (ahead.length > 0) {
      // The data ended elsewhere than planned: read on one page at a time from where it really ended.
      window.controller.abort();
      window.unlink();
      window = linkedTo(listing.controller.signal);
      ahead = [];
      planning = false;
    }
    return request(position, window.controller.signal);
  };
  /** Requests planned pages after `position` until `concurrency` pages are in flight. */
  const fill = (position: unknown): void => {
    let last = ahead.length > 0 ? ahead[ahead.length - 1]!.position : position;
    while (planning && ahead.length < concurrency - 1) {
      const planned = strategy.planAfter!(last);
      if (planned === undefined) return;
      ahead.push({ position: planned, page: request(planned, window.controller.signal) });
      last = planned;
    }
  };

  let position = strategy.first;
  let current = request(position, window.controller.signal);
  let firstPage = true;
  let yielded = 0;
  try {
    for (;;) {
      const page = await current;
      // The style's checks first: a changed total explains a repeated item better than the repeat does.
      const next = strategy.after(page, position);
      guard(page, position);
      const count = page.items.length;
      const more = next !== DONE && yielded + count < maxItems;
      let requested = false;
      if (more && planning) {
        // With concurrency, the next pages load while the caller works on this one.
        current = take(next);
        fill(next);
        requested = true;
      }
      if (count > 0 || firstPage) {
        yielded += count;
        yield page.data as PageData<P, Path>;
      }
      firstPage = false;
      if (!more) return;
      position = next;
      if (!requested) current = take(position);
    }
  } finally {
    listing.controller.abort();
    window.unlink();
    listing.unlink();
  }
}

/**
 * Every item of a list operation, in order, e.g.
 * `for await (const server of paginate(gl.computeOpsMgmt, "/compute-ops-mgmt/v1/servers")) {}`.
 */
export async function* paginate<P extends {}, Path extends PathsWithMethod<P, "get">>(
  client: ServiceClient<P>,
  path: Path,
  init?: PageInit<P, Path>,
  options: PaginateOptions = {},
): AsyncGenerator<ItemOf<PageData<P, Path>>, void, undefined> {
  const op = operationOf(client, "get", path as string);
  const itemsField = op?.pagination?.itemsField ?? "items";
  const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
  let count = 0;
  for await (const page of paginatePages(client, path, init, options)) {
    for (const item of (page as Record<string, unknown>)[itemsField] as unknown[]) {
      if (count >= maxItems) return;
      count++;
      yield item as ItemOf<PageData<P, Path>>;
    }
  }
}

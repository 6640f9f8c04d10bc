/**
 * Async iteration over GreenLake list operations, driven by the generated
 * pagination metadata: offset in items (with `total`), offset in pages, or a `next` cursor.
 */
import type { FetchResponse, MaybeOptionalInit } from "openapi-fetch";
import type { PathsWithMethod } from "openapi-typescript-helpers";
import { errorFromResponse, GreenLakeError } from "./errors.js";
import type { PaginationMetadata } from "./metadata.js";
import { operationOf, type ServiceClient } from "./service-client.js";

export interface PaginateOptions {
  /** Stop after this many items. */
  maxItems?: number;
  /** Items per request; default the operation's maximum. */
  pageSize?: number;
  /**
   * Pages fetched at once once `total` is known (offset styles); items are
   * still yielded in order. Default 1.
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

function pageError(path: string, message: string): GreenLakeError {
  return new GreenLakeError(`GET ${path}: ${message}`, { method: "GET", path });
}

function positiveInteger(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer.`);
  return value;
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
    if (eq !== -1 && pair.slice(0, eq) === param) return decodeURIComponent(pair.slice(eq + 1));
  }
  return next;
}

/** Every page of a list operation, in order. */
export async function* paginatePages<P extends {}, Path extends PathsWithMethod<P, "get">>(
  client: ServiceClient<P>,
  path: Path,
  init?: PageInit<P, Path>,
  options: PaginateOptions = {},
): AsyncGenerator<PageData<P, Path>, void, undefined> {
  const op = operationOf(client, "get", path as string);
  const meta: PaginationMetadata | undefined = op?.pagination;
  if (meta === undefined) throw new TypeError(`GET ${String(path)} is not a paginated operation of ${client.metadata.service}.`);
  const maxItems = positiveInteger(options.maxItems, "maxItems") ?? Number.POSITIVE_INFINITY;
  const concurrency = positiveInteger(options.concurrency, "concurrency") ?? 1;
  type LooseInit = { params?: { query?: Record<string, unknown> } & Record<string, unknown>; query?: Record<string, unknown> } & Record<string, unknown>;
  let baseInit = (init ?? {}) as LooseInit;
  if (baseInit.query !== undefined && baseInit.params === undefined) {
    const { query: shorthand, ...rest } = baseInit;
    baseInit = { ...rest, params: { query: shorthand } };
  }
  const baseQuery = baseInit.params?.query ?? {};
  const requestedSize = options.pageSize ?? (baseQuery[meta.limitParam] as number | undefined) ?? meta.maxPageSize;
  const pageSize = positiveInteger(requestedSize, "pageSize");
  const where = String(path);

  const fetchPage = async (position: unknown): Promise<Page> => {
    const query: Record<string, unknown> = { ...baseQuery };
    if (pageSize !== undefined) query[meta.limitParam] = pageSize;
    if (position === undefined) delete query[meta.pageParam];
    else query[meta.pageParam] = position;
    const result = (await (client.GET as (p: string, i: unknown) => Promise<{ data?: unknown; error?: unknown; response: Response }>)(where, {
      ...baseInit,
      params: { ...baseInit.params, query },
    })) as { data?: unknown; error?: unknown; response: Response };
    if (!result.response.ok) throw errorFromResponse("GET", result.response.url || where, result.response, result.error);
    const data = (result.data ?? {}) as Record<string, unknown>;
    const items = data[meta.itemsField];
    if (!Array.isArray(items)) throw pageError(where, `the response has no "${meta.itemsField}" array to page through.`);
    // A server that ignores the offset would repeat the first page forever.
    if (meta.style !== "cursor" && typeof data.offset === "number" && typeof position === "number" && data.offset !== position) {
      throw pageError(where, `asked for offset ${position} but the server answered offset ${data.offset}; stopping instead of repeating pages.`);
    }
    return { data, items };
  };

  let yielded = 0;
  const emit = (page: Page): PageData<P, Path> => {
    yielded += page.items.length;
    return page.data as PageData<P, Path>;
  };

  if (meta.style === "cursor") {
    let cursor = baseQuery[meta.pageParam] as string | undefined;
    const seen = new Set<string>();
    while (yielded < maxItems) {
      const page = await fetchPage(cursor);
      yield emit(page);
      const next = cursorOf(page.data[meta.nextField ?? "next"], meta.pageParam);
      if (next === undefined || page.items.length === 0) return;
      if (seen.has(next) || next === cursor) throw pageError(where, `the cursor did not advance ("${meta.nextField ?? "next"}" repeated); stopping instead of repeating pages.`);
      seen.add(next);
      cursor = next;
    }
    return;
  }

  const byPages = meta.style === "offset-pages";
  const start = (baseQuery[meta.pageParam] as number | undefined) ?? 0;
  const first = await fetchPage(start);
  yield emit(first);
  const total = meta.totalField === undefined ? undefined : (first.data[meta.totalField] as number | undefined);
  const firstCount = first.items.length;
  if (firstCount === 0 || yielded >= maxItems) return;
  const size = pageSize ?? firstCount;
  const firstItem = JSON.stringify(first.items[0]);
  // Items before `start` are skipped by the server, so the end is relative to it.
  const skippedItems = byPages ? start * size : start;
  const end = Math.min(typeof total === "number" ? total : Number.POSITIVE_INFINITY, skippedItems + maxItems);

  if (typeof total === "number" && concurrency > 1) {
    // `total` is known: request the rest in parallel, but hand pages out in order.
    const positions: number[] = [];
    for (let item = skippedItems + firstCount, k = 1; item < end; item += size, k++) positions.push(byPages ? start + k : item);
    const inFlight: Promise<Page>[] = [];
    let nextIndex = 0;
    const launch = (): void => {
      while (inFlight.length < concurrency && nextIndex < positions.length) {
        const page = fetchPage(positions[nextIndex++]);
        // A later page may fail while an earlier one is awaited, or never be read: awaiting it still throws.
        page.catch(() => {});
        inFlight.push(page);
      }
    };
    launch();
    while (inFlight.length > 0) {
      const page = await inFlight.shift()!;
      if (page.items.length === 0) return;
      if (JSON.stringify(page.items[0]) === firstItem) throw pageError(where, "a later page repeated the first page; the offset is not advancing.");
      yield emit(page);
      if (yielded >= maxItems) return;
      launch();
    }
    return;
  }

  let position = byPages ? start + 1 : start + firstCount;
  let previousFirst = firstItem;
  let itemsSoFar = skippedItems + firstCount;
  let lastCount = firstCount;
  while (yielded < maxItems && itemsSoFar < end) {
    if (total === undefined && pageSize !== undefined && lastCount < pageSize) return;
    const page = await fetchPage(position);
    if (page.items.length === 0) return;
    const head = JSON.stringify(page.items[0]);
    if (head === previousFirst) throw pageError(where, `offset ${position} returned the same page as the previous one; the offset is not advancing.`);
    previousFirst = head;
    yield emit(page);
    lastCount = page.items.length;
    itemsSoFar += lastCount;
    position = byPages ? position + 1 : position + lastCount;
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

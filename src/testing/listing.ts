/**
 * One page of a mock collection the way GreenLake serves it: filtered
 * (OData subset), sorted, paged in the operation's style (offset in items,
 * offset in pages, or a `next` cursor) with its maximum page size enforced,
 * and cut down to the `select`ed properties.
 */
import type { PaginationMetadata } from "../metadata.js";
import { compareValues, FilterSyntaxError, matches, parseFilter, type Literal } from "./odata-filter.js";

export interface ListRequest {
  readonly query: URLSearchParams;
  readonly pagination: PaginationMetadata | undefined;
  /** Query parameters the operation declares; `select` and `sort` apply only when declared. */
  readonly declared: ReadonlySet<string>;
  /** Properties the response object declares, so only those are written. */
  readonly responseFields: ReadonlySet<string>;
}

export type ListResult = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly status: number; readonly errorCode: string; readonly message: string; readonly field: string };

const DEFAULT_PAGE = 100;

/**
 * Opaque cursors holding the position, shaped as a UUID: several documents
 * declare the cursor parameter `format: uuid`, and a UUID passes any other.
 */
export function encodeCursor(position: number): string {
  return `00000000-0000-4000-8000-${position.toString(16).padStart(12, "0")}`;
}

export function decodeCursor(cursor: string): number | undefined {
  const match = /^00000000-0000-4000-8000-([0-9a-f]{12})$/i.exec(cursor);
  return match ? parseInt(match[1]!, 16) : undefined;
}

function lookup(item: unknown, path: readonly string[]): unknown {
  let value = item;
  for (const part of path) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

/** Keeps only `fields` (comma-separated, nested with `/`) of `item`. */
export function selectFields(item: unknown, fields: readonly string[]): unknown {
  if (typeof item !== "object" || item === null) return item;
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const path = field.split("/");
    const value = lookup(item, path);
    if (value === undefined) continue;
    let target = out;
    for (const part of path.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
    target[path[path.length - 1]!] = value;
  }
  return out;
}

/** Parses `sort` (`name`, `name desc`, `name:desc`, comma-separated) into keys. */
export function parseSort(text: string): Array<{ path: string[]; descending: boolean }> | string {
  const keys: Array<{ path: string[]; descending: boolean }> = [];
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Za-z_][\w/.-]*)(?:(?:\s+|:)(asc|desc))?$/i.exec(part);
    if (!match) return part;
    keys.push({ path: match[1]!.split("/"), descending: match[2]?.toLowerCase() === "desc" });
  }
  return keys;
}

function sortItems(items: readonly unknown[], keys: Array<{ path: string[]; descending: boolean }>): unknown[] {
  // Array.prototype.sort is stable: equal keys keep the collection's order.
  return [...items].sort((a, b) => {
    for (const key of keys) {
      const x = lookup(a, key.path);
      const y = lookup(b, key.path);
      if (x === y) continue;
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      const order = compareValues(x, (typeof y === "object" ? JSON.stringify(y) : y) as Literal) ?? 0;
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  });
}

function bad(field: string, message: string, errorCode = "HPE_GL_ERROR_BAD_REQUEST"): ListResult {
  return { ok: false, status: 400, errorCode, message, field };
}

function integerParam(query: URLSearchParams, name: string): number | undefined | "invalid" {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : "invalid";
}

/** Answers a list request over `all` items, or says which parameter is wrong. */
export function listPage(all: readonly unknown[], request: ListRequest): ListResult {
  const { query, pagination: meta, declared } = request;
  let items: readonly unknown[] = all;
  const filterText = query.get("filter");
  if (filterText !== null && filterText !== "") {
    try {
      const node = parseFilter(filterText);
      items = items.filter((item) => matches(node, item));
    } catch (error) {
      if (!(error instanceof FilterSyntaxError)) throw error;
      return bad("filter", `Invalid filter: ${error.message}.`, "HPE_GL_ERROR_BAD_REQUEST");
    }
  }
  const sortText = query.get("sort");
  if (sortText !== null && sortText !== "" && declared.has("sort")) {
    const keys = parseSort(sortText);
    if (typeof keys === "string") return bad("sort", `Invalid sort "${keys}": use <property> [asc|desc], comma-separated.`);
    items = sortItems(items, keys);
  }

  const limitName = meta?.limitParam ?? "limit";
  const limit = integerParam(query, limitName);
  if (limit === "invalid") return bad(limitName, `${limitName} must be a non-negative integer.`);
  if (meta?.maxPageSize !== undefined && limit !== undefined && limit > meta.maxPageSize) {
    return bad(limitName, `${limitName} ${limit} is above this operation's maximum of ${meta.maxPageSize}.`);
  }
  // A list that does not page returns everything unless asked for less.
  const pageSize = limit ?? (meta === undefined ? Math.max(items.length, 1) : Math.min(meta.maxPageSize ?? DEFAULT_PAGE, DEFAULT_PAGE));

  let start = 0;
  let nextCursor: string | undefined;
  if (meta?.style === "cursor") {
    const cursor = query.get(meta.pageParam);
    if (cursor !== null && cursor !== "") {
      const position = decodeCursor(cursor);
      if (position === undefined) return bad(meta.pageParam, `${meta.pageParam} "${cursor}" is not a cursor this collection issued.`);
      start = position;
    }
  } else {
    const offsetName = meta?.pageParam ?? "offset";
    const offset = integerParam(query, offsetName);
    if (offset === "invalid") return bad(offsetName, `${offsetName} must be a non-negative integer.`);
    start = meta?.style === "offset-pages" ? (offset ?? 0) * pageSize : (offset ?? 0);
  }
  const page = items.slice(start, start + pageSize);
  if (meta?.style === "cursor" && start + page.length < items.length && page.length > 0) nextCursor = encodeCursor(start + page.length);

  const selectText = query.get("select");
  const fields = selectText !== null && selectText !== "" && declared.has("select") ? selectText.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  const shown = fields === undefined ? page : page.map((item) => selectFields(item, fields));

  const itemsField = meta?.itemsField ?? "items";
  const body: Record<string, unknown> = { [itemsField]: shown };
  const has = (f: string) => request.responseFields.has(f);
  if (has("count")) body.count = shown.length;
  if (meta?.style !== "cursor") {
    if (has("offset")) body.offset = meta?.style === "offset-pages" ? Math.floor(start / Math.max(pageSize, 1)) : start;
    if (meta?.totalField !== undefined || has("total")) body[meta?.totalField ?? "total"] = items.length;
  } else {
    const nextField = meta.nextField ?? "next";
    if (nextCursor !== undefined) body[nextField] = nextCursor;
    if (has("total")) body.total = items.length;
  }
  return { ok: true, body };
}

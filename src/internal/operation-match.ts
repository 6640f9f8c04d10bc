/**
 * Finds the generated operation a request URL belongs to (`/devices/v1/devices/abc`
 * -> `GET /devices/v1/devices/{id}`), so the runtime can apply what the metadata
 * says about it (rate limits, Idempotency-Key) without the caller naming it.
 */
import type { OperationMetadata, ServiceMetadata } from "../metadata.js";

export type OperationMatcher = (method: string, url: string) => OperationMetadata | undefined;

interface Compiled {
  readonly pattern: RegExp;
  readonly literal: number;
  readonly operation: OperationMetadata;
}

const CACHE_LIMIT = 2048;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The path of an absolute URL, without query or fragment, as sent (percent-encoded). */
export function pathOfUrl(url: string): string {
  const scheme = url.indexOf("://");
  const start = scheme < 0 ? 0 : url.indexOf("/", scheme + 3);
  if (start < 0) return "/";
  let end = url.length;
  const query = url.indexOf("?", start);
  if (query >= 0) end = query;
  const hash = url.indexOf("#", start);
  if (hash >= 0 && hash < end) end = hash;
  return url.slice(start, end);
}

/**
 * A matcher over the service's operations, or `undefined` when `wanted`
 * selects none (most services need no lookup at all). Templates with more
 * literal text win, so `/devices/v2beta1/devices/group` beats `/devices/v2beta1/devices/{id}`.
 */
export function operationMatcher(metadata: ServiceMetadata, wanted: (op: OperationMetadata) => boolean = () => true): OperationMatcher | undefined {
  const byMethod = new Map<string, Compiled[]>();
  for (const operation of metadata.operations) {
    if (!wanted(operation)) continue;
    const source = operation.path.split(/(\{[^}]+\})/).map((part) => (part.startsWith("{") ? "[^/]+" : escape(part))).join("");
    const list = byMethod.get(operation.method.toUpperCase()) ?? [];
    list.push({ pattern: new RegExp(`^${source}/?$`), literal: operation.path.replace(/\{[^}]+\}/g, "").length, operation });
    byMethod.set(operation.method.toUpperCase(), list);
  }
  if (byMethod.size === 0) return undefined;
  for (const list of byMethod.values()) list.sort((a, b) => b.literal - a.literal);
  const cache = new Map<string, OperationMetadata | null>();
  return (method, url) => {
    const list = byMethod.get(method);
    if (list === undefined) return undefined;
    const path = pathOfUrl(url);
    const key = `${method} ${path}`;
    const cached = cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const found = list.find((c) => c.pattern.test(path));
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, found?.operation ?? null);
    return found?.operation;
  };
}

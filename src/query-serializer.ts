/**
 * Query strings as each operation's document declares them: openapi-fetch
 * repeats array parameters (`select=a&select=b`); the operations listed in
 * `commaJoinedQuery` take one comma-separated value (`select=a,b`).
 */
import { createQuerySerializer } from "openapi-fetch";
import type { ServiceMetadata } from "./metadata.js";

export type QuerySerializer = (query: Record<string, unknown>) => string;

/** openapi-fetch's own serializer: every value percent-encoded, arrays repeated, objects as deepObject. */
const standard = createQuerySerializer() as QuerySerializer;

/** Serializes `names` (when arrays) as one comma-joined value and everything else as openapi-fetch does. */
export function commaJoiningSerializer(names: readonly string[]): QuerySerializer {
  const joined = new Set(names);
  return (query) => {
    const parts: string[] = [];
    for (const name in query) {
      const value = query[name];
      let part: string;
      // Each item is encoded before joining, so a comma inside a value (%2C) never reads as a separator.
      if (Array.isArray(value) && joined.has(name)) part = value.length === 0 ? "" : `${name}=${value.map((v) => encodeURIComponent(String(v))).join(",")}`;
      else part = standard({ [name]: value });
      if (part !== "") parts.push(part);
    }
    return parts.join("&");
  };
}

// Built once per service, however many regional clients share its metadata.
const built = new WeakMap<ServiceMetadata, Map<string, Map<string, QuerySerializer>>>();

/**
 * Per upper-case HTTP method, the serializer of each path that needs its own.
 * Empty for a service whose operations all fit openapi-fetch's default.
 */
export function querySerializersOf(metadata: ServiceMetadata): Map<string, Map<string, QuerySerializer>> {
  let byMethod = built.get(metadata);
  if (byMethod === undefined) built.set(metadata, (byMethod = buildSerializers(metadata)));
  return byMethod;
}

function buildSerializers(metadata: ServiceMetadata): Map<string, Map<string, QuerySerializer>> {
  const byMethod = new Map<string, Map<string, QuerySerializer>>();
  for (const op of metadata.operations) {
    if (op.commaJoinedQuery === undefined || op.commaJoinedQuery.length === 0) continue;
    const method = op.method.toUpperCase();
    let byPath = byMethod.get(method);
    if (byPath === undefined) byMethod.set(method, (byPath = new Map()));
    byPath.set(op.path, commaJoiningSerializer(op.commaJoinedQuery));
  }
  return byMethod;
}

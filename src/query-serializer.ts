/**
 * Query strings as each operation's document declares them, with names,
 * `deepObject` keys and values all percent-encoded (openapi-fetch encodes
 * only values, so a name or key could add parameters of its own). Arrays are
 * repeated (`select=a&select=b`); the operations listed in `commaJoinedQuery`
 * take one comma-separated value (`select=a,b`).
 */
import { invalidParameterError, kindOf } from "./errors.js";
import type { ServiceMetadata } from "./metadata.js";

export type QuerySerializer = (query: Record<string, unknown>) => string;

type Refuse = (problem: string, fix: string) => Error;

const SCALARS = "Pass a string, a number or a boolean";

function encode(text: string, refuse: Refuse): string {
  try {
    return encodeURIComponent(text);
  } catch {
    throw refuse("contains an unpaired UTF-16 surrogate, which has no UTF-8 form", "Pass well-formed strings.");
  }
}

function scalar(value: unknown, where: string, refuse: Refuse): string {
  if (typeof value === "string") return encode(value, refuse);
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean" || typeof value === "bigint") return String(value);
  throw refuse(`has ${kindOf(value)} ${where}`, `${SCALARS} there.`);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The `name=value` parts of one parameter; none for a missing value or an empty array, as in openapi-fetch. */
function parts(name: string, value: unknown, commaJoined: boolean, refuse: Refuse): string[] {
  if (value === undefined || value === null) return [];
  const key = encode(name, refuse);
  if (Array.isArray(value)) {
    if (value.length === 0) return [];
    const items = value.map((item) => scalar(item, "as an array item", refuse));
    // Each item is encoded before joining, so a comma inside an item (%2C) never reads as a separator.
    return commaJoined ? [`${key}=${items.join(",")}`] : items.map((item) => `${key}=${item}`);
  }
  if (typeof value === "object") {
    if (!isPlainObject(value)) throw refuse(`is ${kindOf(value)}`, `${SCALARS}, an array of them or a plain object of them.`);
    const out: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined && v !== null) out.push(`${key}[${encode(k, refuse)}]=${scalar(v, "inside its object", refuse)}`);
    }
    return out;
  }
  return [`${key}=${scalar(value, "as its value", refuse)}`];
}

/**
 * openapi-fetch's `querySerializer` for one call: `commaJoined` names the
 * array parameters sent comma-joined. A value that cannot be sent is a
 * GreenLakeRequestError naming the call and the parameter.
 */
export function querySerializerFor(method: string, template: string, commaJoined?: ReadonlySet<string>): QuerySerializer {
  return (query) => {
    const out: string[] = [];
    for (const name in query) {
      const refuse: Refuse = (problem, fix) => invalidParameterError(method, template, "query", name, problem, fix);
      out.push(...parts(name, query[name], commaJoined?.has(name) ?? false, refuse));
    }
    return out.join("&");
  };
}

// Built once per service, however many regional clients share its metadata.
const built = new WeakMap<ServiceMetadata, Map<string, Map<string, ReadonlySet<string>>>>();

/**
 * Per upper-case HTTP method, the comma-joined array parameters of each path
 * that has some. Empty for a service whose operations all repeat arrays.
 */
export function commaJoinedQueryOf(metadata: ServiceMetadata): Map<string, Map<string, ReadonlySet<string>>> {
  let byMethod = built.get(metadata);
  if (byMethod === undefined) built.set(metadata, (byMethod = buildCommaJoined(metadata)));
  return byMethod;
}

function buildCommaJoined(metadata: ServiceMetadata): Map<string, Map<string, ReadonlySet<string>>> {
  const byMethod = new Map<string, Map<string, ReadonlySet<string>>>();
  for (const op of metadata.operations) {
    if (op.commaJoinedQuery === undefined || op.commaJoinedQuery.length === 0) continue;
    const method = op.method.toUpperCase();
    let byPath = byMethod.get(method);
    if (byPath === undefined) byMethod.set(method, (byPath = new Map()));
    byPath.set(op.path, new Set(op.commaJoinedQuery));
  }
  return byMethod;
}

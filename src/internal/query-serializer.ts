/**
 * Query strings as each operation's document declares them, with names,
 * `deepObject` keys and values all percent-encoded (openapi-fetch encodes
 * only values, so a name or key could add parameters of its own). Arrays are
 * repeated (`select=a&select=b`); the operations listed in `commaJoinedQuery`
 * take one comma-separated value (`select=a,b`), given as an array or as one
 * string already joined. A call's own `querySerializer` replaces all of this,
 * e.g. `{ array: { style: "form", explode: true } }` to repeat such a list.
 */
import { invalidParameterError, kindOf } from "../errors.js";
import type { ServiceMetadata } from "../metadata.js";

export type QuerySerializer = (query: Record<string, unknown>) => string;

/** Why a value cannot be sent; the serializer turns it into a GreenLakeRequestError naming the call. */
class Unsendable {
  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {}
}

const SCALARS = "Pass a string, a number or a boolean";

function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    throw new Unsendable("contains an unpaired UTF-16 surrogate, which has no UTF-8 form", "Pass well-formed strings.");
  }
}

function scalar(value: unknown, where: string): string {
  if (typeof value === "string") return encode(value);
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean" || typeof value === "bigint") return String(value);
  throw new Unsendable(`has ${kindOf(value)} ${where}`, `${SCALARS} there.`);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `name=value` parts of one parameter, "" for a missing value or an empty array (left out, as in openapi-fetch). */
function serializeParameter(name: string, value: unknown, commaJoined: boolean): string {
  if (value === undefined || value === null) return "";
  const key = encode(name);
  if (Array.isArray(value)) {
    let out = "";
    for (let i = 0; i < value.length; i++) {
      const item = scalar(value[i], "as an array item");
      // Each item is encoded before joining, so a comma inside an item (%2C) never reads as a separator.
      out += i === 0 ? `${key}=${item}` : commaJoined ? `,${item}` : `&${key}=${item}`;
    }
    return out;
  }
  if (typeof value === "object") {
    if (!isPlainObject(value)) throw new Unsendable(`is ${kindOf(value)}`, `${SCALARS}, an array of them or a plain object of them.`);
    let out = "";
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined && v !== null) out += `${out === "" ? "" : "&"}${key}[${encode(k)}]=${scalar(v, "inside its object")}`;
    }
    return out;
  }
  // A list already joined (`select: "id,serialNumber"`, as HPE's own clients write it) keeps its separators.
  if (commaJoined && typeof value === "string") return `${key}=${value.split(",").map(encode).join(",")}`;
  return `${key}=${scalar(value, "as its value")}`;
}

/**
 * openapi-fetch's `querySerializer` for one call: `commaJoined` names the
 * array parameters sent comma-joined. A value that cannot be sent is a
 * GreenLakeRequestError naming the call and the parameter.
 */
export function querySerializerFor(method: string, template: string, commaJoined?: ReadonlySet<string>): QuerySerializer {
  return (query) => {
    let out = "";
    for (const name in query) {
      let part: string;
      try {
        part = serializeParameter(name, query[name], commaJoined?.has(name) ?? false);
      } catch (error) {
        if (!(error instanceof Unsendable)) throw error;
        throw invalidParameterError(method, template, "query", name, error.problem, error.fix);
      }
      if (part !== "") out += out === "" ? part : `&${part}`;
    }
    return out;
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

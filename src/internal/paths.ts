/**
 * Path parameters as exactly one URL segment each, so a call always reaches
 * the operation it names: every value is percent-encoded, and a value no
 * encoding can keep in its segment is refused before anything is sent.
 * `.` and `..` are such values: URL parsing resolves them as dot segments,
 * and their `%2e` forms too, so `DELETE .../devices/{device-id}` with `..`
 * would delete the whole group instead. An empty value would merge two segments.
 */
import type { PathSerializer } from "openapi-fetch";
import { invalidParameterError, kindOf } from "../errors.js";
import { querySerializerFor, type QuerySerializer } from "./query-serializer.js";

const PARAMETER = /\{([^{}]+)\}/g;

function segmentOf(method: string, template: string, name: string, value: unknown): string {
  if (typeof value === "string") {
    if (value !== "" && value !== "." && value !== "..") {
      try {
        return encodeURIComponent(value);
      } catch {
        throw invalidParameterError(method, template, "path", name, "contains an unpaired UTF-16 surrogate, which has no UTF-8 form", "Pass a well-formed string.");
      }
    }
    if (value === "") throw invalidParameterError(method, template, "path", name, "is empty", "Pass the resource's id.");
    throw invalidParameterError(method, template, "path", name, `is "${value}", which URL parsing resolves as a dot segment, sending the call to another endpoint`, "Pass the resource's id.");
  }
  if (typeof value === "number" && Number.isFinite(value)) return encodeURIComponent(String(value));
  if (value === undefined || value === null) {
    throw invalidParameterError(method, template, "path", name, "is missing", `Pass it as params: { path: { ${JSON.stringify(name)}: "<id>" } }.`);
  }
  throw invalidParameterError(method, template, "path", name, `is ${kindOf(value)}, not a string or a finite number`, "Pass the resource's id as a string.");
}

/** A template split at its parameters: literal text at even indexes, parameter names at odd ones. */
const compiled = new Map<string, string[]>();
const MAX_COMPILED = 5000;

function partsOf(template: string): string[] {
  let parts = compiled.get(template);
  if (parts === undefined) {
    parts = template.split(PARAMETER);
    // Declared operations number in the hundreds; the bound only guards against paths built at run time.
    if (compiled.size < MAX_COMPILED) compiled.set(template, parts);
  }
  return parts;
}

/** `pathname` (the base URL joined with `template`) with each `{name}` of the template replaced by its encoded value. */
export function serializePath(method: string, template: string, pathname: string, values: unknown): string {
  const given = (values ?? {}) as Record<string, unknown>;
  // Only the template's part is expanded: a base URL never holds parameters.
  const own = pathname.endsWith(template);
  const parts = partsOf(own ? template : pathname);
  let out = own ? pathname.slice(0, pathname.length - template.length) : "";
  for (let i = 0; i < parts.length; i++) out += i % 2 === 0 ? parts[i]! : segmentOf(method, template, parts[i]!, given[parts[i]!]);
  return out;
}

/**
 * openapi-fetch's `pathSerializer` for one call. openapi-fetch calls it only
 * when `params.path` is present (otherwise it would send the literal
 * `{id}`), so a call that passes no path values fails here, at once.
 */
export function pathSerializerFor(method: string, template: string, values: unknown): PathSerializer {
  if (values == null && template.includes("{")) serializePath(method, template, template, {});
  return (pathname, given) => serializePath(method, template, pathname, given);
}

interface EncodableInit {
  params?: { path?: unknown } | undefined;
  querySerializer?: unknown;
}

/**
 * The call's init with this module's path encoding (always: it guards which
 * endpoint is reached) and the SDK's query encoding unless the caller passes
 * a `querySerializer`. `commaJoined` names the operation's comma-joined arrays.
 */
export function withEncoders<Init extends EncodableInit>(
  method: string,
  template: string,
  init: Init | undefined,
  commaJoined: ReadonlySet<string> | undefined,
): Init & { pathSerializer: PathSerializer; querySerializer: unknown } {
  return setEncoders(method, template, { ...(init as Init) }, commaJoined);
}

/** withEncoders on an init the caller owns (a copy it made for this call): sets the two encoders on it. */
export function setEncoders<Init extends EncodableInit>(
  method: string,
  template: string,
  init: Init,
  commaJoined: ReadonlySet<string> | undefined,
): Init & { pathSerializer: PathSerializer; querySerializer: unknown } {
  const out = init as Init & { pathSerializer: PathSerializer; querySerializer: unknown };
  out.pathSerializer = pathSerializerFor(method, template, init.params?.path);
  out.querySerializer = init.querySerializer ?? (querySerializerFor(method, template, commaJoined) satisfies QuerySerializer);
  return out;
}

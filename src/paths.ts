/**
 * Path parameters as exactly one URL segment each, so a call always reaches
 * the operation it names: every value is percent-encoded, and a value no
 * encoding can keep in its segment is refused before anything is sent.
 * `.` and `..` are such values: URL parsing resolves them as dot segments,
 * and their `%2e` forms too, so `DELETE .../devices/{device-id}` with `..`
 * would delete the whole group instead. An empty value would merge two segments.
 */
import type { PathSerializer } from "openapi-fetch";
import { invalidParameterError, kindOf } from "./errors.js";
import { querySerializerFor, type QuerySerializer } from "./query-serializer.js";

const PARAMETER = /\{([^{}]+)\}/g;

function segmentOf(method: string, template: string, name: string, value: unknown): string {
  const refuse = (problem: string, fix: string) => invalidParameterError(method, template, "path", name, problem, fix);
  if (value === undefined || value === null) {
    throw refuse("is missing", `Pass it as params: { path: { ${JSON.stringify(name)}: "<id>" } }.`);
  }
  if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) {
    throw refuse(`is ${kindOf(value)}, not a string or a finite number`, "Pass the resource's id as a string.");
  }
  const text = String(value);
  if (text === "") throw refuse("is empty", "Pass the resource's id.");
  if (text === "." || text === "..") {
    throw refuse(`is "${text}", which URL parsing resolves as a dot segment, sending the call to another endpoint`, "Pass the resource's id.");
  }
  try {
    return encodeURIComponent(text);
  } catch {
    throw refuse("contains an unpaired UTF-16 surrogate, which has no UTF-8 form", "Pass a well-formed string.");
  }
}

/** `pathname` (the base URL joined with `template`) with each `{name}` of the template replaced by its encoded value. */
export function serializePath(method: string, template: string, pathname: string, values: unknown): string {
  const given = (values ?? {}) as Record<string, unknown>;
  const expanded = template.replace(PARAMETER, (_, name: string) => segmentOf(method, template, name, given[name]));
  // Only the template's part is expanded: a base URL never holds parameters.
  return pathname.endsWith(template) ? pathname.slice(0, pathname.length - template.length) + expanded : expanded;
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
  return {
    ...(init as Init),
    pathSerializer: pathSerializerFor(method, template, init?.params?.path),
    querySerializer: init?.querySerializer ?? (querySerializerFor(method, template, commaJoined) satisfies QuerySerializer),
  };
}

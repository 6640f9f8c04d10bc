/**
 * Request bodies labelled with a media type their operation declares.
 * openapi-fetch sends every body that is not FormData as `application/json`;
 * many GreenLake operations declare only `application/merge-patch+json` (or
 * `application/scim+json`), which a strict server may refuse as 415.
 */
import type { ServiceMetadata } from "../metadata.js";

/** The type without parameters, lower-cased: `Application/JSON; charset=utf-8` -> `application/json`. */
function essence(mediaType: string): string {
  return mediaType.split(";", 1)[0]!.trim().toLowerCase();
}

/** `application/json` or a structured `+json` type (RFC 6839), e.g. `application/merge-patch+json`. */
export function isJsonMediaType(mediaType: string): boolean {
  const type = essence(mediaType);
  return type === "application/json" || /^[a-z0-9!#$&^_.-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(type);
}

const FORM_URLENCODED = "application/x-www-form-urlencoded";

/**
 * The Content-Type a body of an operation declaring `declared` goes out with,
 * when it differs from openapi-fetch's default (`application/json`):
 * `undefined` when the operation declares no body, declares `application/json`,
 * or declares no type a plain value serializes to (e.g. only
 * `multipart/form-data`, whose FormData body sets its own type and boundary).
 * Otherwise the first declared JSON type, or failing that
 * `application/x-www-form-urlencoded`, which openapi-fetch's serializer then
 * encodes as a form.
 */
export function declaredContentType(declared: readonly string[] | undefined): string | undefined {
  if (declared === undefined || declared.some((type) => essence(type) === "application/json")) return undefined;
  return declared.find(isJsonMediaType) ?? declared.find((type) => essence(type) === FORM_URLENCODED);
}

// Built once per service, however many regional clients share its metadata.
const built = new WeakMap<ServiceMetadata, Map<string, Map<string, string>>>();

/**
 * Per upper-case HTTP method, the Content-Type of each path whose body must
 * not go out as `application/json`. Empty for a service that takes JSON only.
 */
export function contentTypesOf(metadata: ServiceMetadata): Map<string, Map<string, string>> {
  let byMethod = built.get(metadata);
  if (byMethod === undefined) {
    byMethod = new Map();
    for (const op of metadata.operations) {
      const type = declaredContentType(op.requestMediaTypes);
      if (type === undefined) continue;
      const method = op.method.toUpperCase();
      let byPath = byMethod.get(method);
      if (byPath === undefined) byMethod.set(method, (byPath = new Map()));
      byPath.set(op.path, type);
    }
    built.set(metadata, byMethod);
  }
  return byMethod;
}

type HeadersLike = Headers | readonly (readonly [string, string])[] | Record<string, unknown>;
type Init = { body?: unknown; headers?: HeadersLike; params?: { header?: HeadersLike }; [option: string]: unknown } | undefined;

/** True when `headers` names a Content-Type, even `null`/`undefined` (openapi-fetch's way to unset one). */
function namesContentType(headers: HeadersLike | undefined): boolean {
  if (headers === undefined || headers === null || typeof headers !== "object") return false;
  if (headers instanceof Headers) return headers.has("content-type");
  if (Array.isArray(headers)) return headers.some((entry) => Array.isArray(entry) && String(entry[0]).toLowerCase() === "content-type");
  return Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
}

/**
 * `init` with `Content-Type: contentType` added, unless there is no such type,
 * no body, a FormData body (fetch writes the multipart boundary itself), or
 * the caller names a Content-Type of their own, which wins. The caller's init
 * is never modified.
 */
export function withContentType<T extends Init>(init: T, contentType: string | undefined): T {
  if (contentType === undefined || init === undefined || init.body === undefined || init.body instanceof FormData) return init;
  if (namesContentType(init.headers) || namesContentType(init.params?.header)) return init;
  const { headers } = init;
  if (headers instanceof Headers || Array.isArray(headers)) {
    const copy = new Headers(headers as HeadersInit);
    copy.set("Content-Type", contentType);
    return { ...init, headers: copy };
  }
  return { ...init, headers: { ...(headers as Record<string, unknown> | undefined), "Content-Type": contentType } };
}

/**
 * Reads the media types an operation's request body may be sent as, so the
 * runtime labels a body with a type the operation accepts instead of always
 * `application/json`.
 */
import { resolveRef, type OpenApiDocument, type OperationRef } from "../../src/specs/openapi.js";

/**
 * The request body's media types in document order; empty when the operation
 * takes no body. Throws on a body described without any media type, which no
 * client could send correctly.
 */
export function requestMediaTypes(document: OpenApiDocument, ref: OperationRef): string[] {
  if (ref.operation.requestBody === undefined) return [];
  const body = resolveRef(document, ref.operation.requestBody) as { content?: Record<string, unknown> } | undefined;
  const types = Object.keys(body?.content ?? {});
  if (types.length === 0) {
    throw new Error(`${ref.method.toUpperCase()} ${ref.path} declares a request body without a media type; add a correction`);
  }
  return types;
}

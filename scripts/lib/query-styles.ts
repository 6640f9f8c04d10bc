/**
 * Finds the query parameters an operation serializes differently from
 * openapi-fetch's default (arrays repeated, objects as deepObject, every value
 * percent-encoded), so the runtime changes only what the document asks for.
 */
import { operationParameters, resolveRef, schemaTypes, type OpenApiDocument, type OperationRef, type ParameterObject } from "../../src/specs/openapi.js";

/**
 * Names of the operation's array query parameters sent as one comma-separated
 * value (`style: form, explode: false`), sorted; empty when the default fits.
 * Throws on a style the runtime cannot send, so an upstream change is noticed.
 */
export function commaJoinedQueryParams(document: OpenApiDocument, ref: OperationRef): string[] {
  const joined: string[] = [];
  for (const parameter of operationParameters(document, ref)) {
    if (parameter.in !== "query") continue;
    if (queryStyle(document, ref, parameter) === "comma-joined") joined.push(parameter.name);
  }
  return joined.sort();
}

type QueryStyle = "default" | "comma-joined";

function queryStyle(document: OpenApiDocument, ref: OperationRef, parameter: ParameterObject): QueryStyle {
  const where = `${ref.method.toUpperCase()} ${ref.path} query parameter ${parameter.name}`;
  if (parameter.content !== undefined) throw new Error(`${where} is described by content, which the runtime cannot serialize; add a correction`);
  const style = typeof parameter.style === "string" ? parameter.style : "form";
  const explode = typeof parameter.explode === "boolean" ? parameter.explode : style === "form";
  const types = schemaTypes(document, resolveRef(document, parameter.schema));
  if (types.includes("array")) {
    if (style === "form") return explode ? "default" : "comma-joined";
    throw new Error(`${where} is an array with style ${style}, which the runtime cannot serialize; add a correction`);
  }
  if (types.includes("object")) {
    if (style === "deepObject") return "default";
    throw new Error(`${where} is an object with style ${style}, which the runtime cannot serialize; add a correction`);
  }
  // A single value reads the same in every query style (`name=value`); only arrays and objects differ.
  return "default";
}

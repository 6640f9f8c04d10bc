/**
 * A valid request for one operation, built from its document: every path
 * parameter, the required query and header parameters, and a body from the
 * document's examples or built from the schema.
 */
import type { OperationMetadata } from "../../../src/index.js";
import { deref, isObject, loadDocument, type Json, type JsonObject } from "./openapi.js";
import { sample, type SampleOptions } from "./sample.js";
import { validatorAt } from "./schema-validator.js";

export interface BuiltRequest {
  readonly params: { path: Record<string, Json>; query: Record<string, Json>; header: Record<string, string> };
  /** Media type of the body, when the operation takes one. */
  readonly contentType: string | undefined;
  readonly body: Json | undefined;
  /** Media type asked for in `Accept`, from the documented success responses. */
  readonly accept: string | undefined;
}

/** How hard to lean on the document's examples; the second attempt builds everything from schemas. */
export type Strategy = "examples" | "schemas";

const SKIPPED_HEADERS = new Set(["authorization", "content-type", "accept"]);

function operationObject(op: OperationMetadata): { doc: JsonObject; pathItem: JsonObject; operation: JsonObject } {
  const doc = loadDocument(op.document);
  const paths = doc.paths as JsonObject;
  const pathItem = deref(doc, paths[op.path]);
  if (!isObject(pathItem)) throw new Error(`${op.path} is not in document ${op.document}`);
  const operation = deref(doc, pathItem[op.method]);
  if (!isObject(operation)) throw new Error(`${op.method.toUpperCase()} ${op.path} is not in document ${op.document}`);
  return { doc, pathItem, operation };
}

/** Operation parameters over path-level ones, `$ref`s resolved. */
export function parametersOf(op: OperationMetadata): JsonObject[] {
  const { doc, pathItem, operation } = operationObject(op);
  const byKey = new Map<string, JsonObject>();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      const param = deref(doc, p);
      if (isObject(param)) byKey.set(`${String(param.in)}:${String(param.name)}`, param);
    }
  }
  return [...byKey.values()];
}

function parameterValue(doc: JsonObject, param: JsonObject, options: SampleOptions): Json {
  if (options.useExamples) {
    if (param.example !== undefined) return param.example;
    if (isObject(param.examples)) {
      const first = deref(doc, Object.values(param.examples)[0]);
      if (isObject(first) && first.value !== undefined) return first.value;
    }
  }
  return sample(doc, param.schema, options);
}

function mediaPreference(type: string): number {
  const t = type.toLowerCase();
  if (t === "application/json") return 0;
  if (t.endsWith("+json") || t.includes("json")) return 1;
  if (t === "multipart/form-data") return 2;
  if (t === "application/x-www-form-urlencoded") return 3;
  if (t.startsWith("text/")) return 4;
  return 5;
}

export function preferredMedia(content: Json | undefined): string | undefined {
  if (!isObject(content)) return undefined;
  return Object.keys(content).sort((a, b) => mediaPreference(a) - mediaPreference(b))[0];
}

function mediaExample(doc: JsonObject, media: JsonObject): Json | undefined {
  if (media.example !== undefined) return media.example;
  if (isObject(media.examples)) {
    const first = deref(doc, Object.values(media.examples)[0]);
    if (isObject(first) && first.value !== undefined) return first.value;
  }
  return undefined;
}

/**
 * The first candidate body that validates against the request schema: the
 * documented example, then values built from the schema taking each
 * oneOf/anyOf branch in turn, with and without optional properties.
 */
function bodyValue(op: OperationMetadata, doc: JsonObject, mediaType: string, media: JsonObject, useExamples: boolean): Json {
  const candidates: Json[] = [];
  const example = useExamples ? mediaExample(doc, media) : undefined;
  if (example !== undefined) candidates.push(example);
  for (let branch = 0; branch < 4; branch++) {
    for (const optionalProperties of [false, true]) {
      candidates.push(sample(doc, media.schema, { useExamples, optionalProperties, branch }));
      if (useExamples) candidates.push(sample(doc, media.schema, { useExamples: false, optionalProperties, branch }));
    }
  }
  const validate = mediaType.includes("json") ? validatorAt(op.document, ["paths", op.path, op.method, "requestBody", "content", mediaType, "schema"]) : undefined;
  return (validate && candidates.find((c) => validate(c))) ?? candidates[0]!;
}

function successAccept(doc: JsonObject, operation: JsonObject): string | undefined {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const codes = Object.keys(responses).filter((c) => /^2/.test(c)).sort();
  for (const code of codes) {
    const response = deref(doc, responses[code]);
    const media = isObject(response) ? preferredMedia(response.content) : undefined;
    if (media !== undefined) return media;
  }
  return undefined;
}

export function buildRequest(op: OperationMetadata, strategy: Strategy): BuiltRequest {
  const { doc, operation } = operationObject(op);
  const options: SampleOptions = { useExamples: strategy === "examples", optionalProperties: false };
  const params: BuiltRequest["params"] = { path: {}, query: {}, header: {} };
  for (const param of parametersOf(op)) {
    const name = String(param.name);
    if (param.in === "path") params.path[name] = parameterValue(doc, param, options);
    else if (param.required === true && param.in === "query") params.query[name] = parameterValue(doc, param, options);
    else if (param.required === true && param.in === "header" && !SKIPPED_HEADERS.has(name.toLowerCase())) {
      params.header[name] = String(parameterValue(doc, param, options));
    }
  }
  const requestBody = deref(doc, operation.requestBody);
  let contentType: string | undefined;
  let body: Json | undefined;
  if (isObject(requestBody) && isObject(requestBody.content)) {
    contentType = preferredMedia(requestBody.content);
    const media = contentType === undefined ? undefined : deref(doc, requestBody.content[contentType]);
    if (isObject(media) && contentType !== undefined) body = bodyValue(op, doc, contentType, media, options.useExamples);
  }
  // Some operations pin Content-Type with a header parameter that disagrees with requestBody.content; the parameter is what servers check.
  const pinned = parametersOf(op).find((p) => p.in === "header" && String(p.name).toLowerCase() === "content-type");
  const pinnedSchema = pinned === undefined ? undefined : deref(doc, pinned.schema);
  if (isObject(pinnedSchema)) {
    const value = pinnedSchema.const ?? (Array.isArray(pinnedSchema.enum) ? pinnedSchema.enum[0] : undefined);
    if (typeof value === "string") contentType = value;
  }
  return { params, contentType, body, accept: successAccept(doc, operation) };
}

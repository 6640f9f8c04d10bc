/**
 * Checks a response against its document: the status is documented and the
 * body validates against the schema of the media type it was sent as.
 */
import type { OperationMetadata } from "../../../src/index.js";
import { deref, isObject, loadDocument, type JsonObject } from "./openapi.js";
import { describeErrors, validatorAt } from "./schema-validator.js";

function responseObject(doc: JsonObject, operation: JsonObject, status: number): { code: string; response: JsonObject } | undefined {
  const responses = isObject(operation.responses) ? operation.responses : {};
  for (const code of [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, "default"]) {
    const response = deref(doc, responses[code]);
    if (isObject(response)) return { code, response };
  }
  return undefined;
}

function mediaKey(content: JsonObject, contentType: string): string | undefined {
  const base = contentType.split(";")[0]!.trim().toLowerCase();
  const keys = Object.keys(content);
  return (
    keys.find((k) => k.toLowerCase() === base) ??
    keys.find((k) => k.endsWith("/*") && base.startsWith(k.slice(0, -1).toLowerCase())) ??
    keys.find((k) => k === "*/*") ??
    (keys.length === 1 ? keys[0] : undefined)
  );
}

/** Problems with the response, empty when it matches the document. */
export function responseProblems(op: OperationMetadata, status: number, contentType: string | null, text: string): string[] {
  const doc = loadDocument(op.document);
  const pathItem = deref(doc, (doc.paths as JsonObject)[op.path]);
  const operation = isObject(pathItem) ? deref(doc, pathItem[op.method]) : undefined;
  if (!isObject(operation)) return [`operation missing from ${op.document}`];
  const found = responseObject(doc, operation, status);
  if (found === undefined) return [`status ${status} is not documented`];
  const content = isObject(found.response.content) ? found.response.content : undefined;
  if (content === undefined || Object.keys(content).length === 0) return [];
  if (contentType === null) return text === "" ? [] : ["response has a body but no content-type"];
  const media = mediaKey(content, contentType);
  if (media === undefined) return [`content-type ${contentType} is not documented for ${found.code}`];
  const mediaObject = deref(doc, content[media]);
  if (!isObject(mediaObject) || mediaObject.schema === undefined) return [];
  if (!/json/i.test(contentType)) return [];
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    return ["response body is not JSON"];
  }
  if (body === undefined) return ["response body is empty where the document describes one"];
  const validate = validatorAt(op.document, ["paths", op.path, op.method, "responses", found.code, "content", media, "schema"]);
  if (validate === undefined) return ["response schema not found"];
  return validate(body) ? [] : describeErrors(validate);
}

/** ajv validators for schemas inside a document, addressed by the path of keys that leads to them. */
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { deref, isObject, loadDocument, pointer, type JsonObject } from "./openapi.js";

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => void;

const instances = new Map<string, Ajv>();
const compiled = new Map<string, ValidateFunction>();

function ajvFor(key: string): Ajv {
  let ajv = instances.get(key);
  if (ajv === undefined) {
    const doc = loadDocument(key);
    const options = { strict: false, allErrors: true, validateSchema: false, logger: false as const };
    // OpenAPI 3.1 schemas are JSON Schema 2020-12; 3.0 schemas are draft-07-like with `nullable`.
    ajv = String(doc.openapi).startsWith("3.1") ? (new Ajv2020(options) as unknown as Ajv) : new Ajv(options);
    addFormats(ajv);
    ajv.addSchema(doc as object, key);
    instances.set(key, ajv);
  }
  return ajv;
}

/** Walks `keys` from the document root, following `$ref`s, and returns the JSON pointer reached. */
function locate(doc: JsonObject, keys: readonly string[]): string | undefined {
  let ptr = "";
  let node: unknown = doc;
  const follow = () => {
    for (let hops = 0; isObject(node) && typeof node.$ref === "string" && hops < 32; hops++) {
      ptr = node.$ref.slice(1);
      node = deref(doc, { $ref: node.$ref });
    }
  };
  for (const key of keys) {
    follow();
    if (!isObject(node)) return undefined;
    node = node[key];
    ptr += `/${pointer(key)}`;
  }
  return node === undefined ? undefined : ptr;
}

/** The validator of the schema reached by `keys` (e.g. paths, path, method, requestBody, content, type, schema). */
export function validatorAt(document: string, keys: readonly string[]): ValidateFunction | undefined {
  const ptr = locate(loadDocument(document), keys);
  if (ptr === undefined) return undefined;
  const ref = `${document}#${ptr}`;
  let validate = compiled.get(ref);
  if (validate === undefined) {
    validate = ajvFor(document).compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  return validate;
}

export function describeErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || "(body)"} ${e.message ?? "is invalid"}${"allowedValues" in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ""}`);
}

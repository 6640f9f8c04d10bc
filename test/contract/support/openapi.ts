/** Reads the corrected documents the mocks serve and resolves their local `$ref`s. */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const documentsDir = resolve(process.env.GREENLAKE_MOCK_DOCUMENTS ?? "generated/openapi");

const cache = new Map<string, JsonObject>();

export function loadDocument(key: string): JsonObject {
  let doc = cache.get(key);
  if (doc === undefined) {
    doc = JSON.parse(readFileSync(join(documentsDir, `${key}.json`), "utf8")) as JsonObject;
    cache.set(key, doc);
  }
  return doc;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Follows `$ref` chains within the document (`#/components/...`). */
export function deref(doc: JsonObject, value: Json | undefined): Json | undefined {
  let current = value;
  for (let hops = 0; isObject(current) && typeof current.$ref === "string" && hops < 32; hops++) {
    const ref = current.$ref;
    if (!ref.startsWith("#/")) throw new Error(`External $ref ${ref} is not supported`);
    let target: Json | undefined = doc;
    for (const raw of ref.slice(2).split("/")) {
      const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      target = isObject(target) ? target[part] : Array.isArray(target) ? target[Number(part)] : undefined;
    }
    current = target;
  }
  return current;
}

/** JSON pointer of an operation inside its document, for ajv `$ref`s into it. */
export function pointer(...parts: string[]): string {
  return parts.map((p) => encodeURIComponent(p.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/");
}

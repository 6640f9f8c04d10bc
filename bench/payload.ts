/**
 * Response bodies for the bench, generated at run time from the schemas of the
 * generated OpenAPI documents (never stored): a page of Compute Ops Management
 * servers as `GET /compute-ops-mgmt/v1/servers` declares it, and one small item.
 * Values are synthetic and deterministic; only the shape comes from the document.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../scripts/package-layout.js";

type Schema = Record<string, any>;

export const PAGE_PATH = "/compute-ops-mgmt/v1/servers";
export const ITEM_PATH = "/compute-ops-mgmt/v1/servers/{id}";

interface Generator {
  doc: Schema;
  /** Optional properties are kept down to this depth; required ones always. */
  optionalDepth: number;
  seed: number;
}

function resolve(g: Generator, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let hops = 0; typeof s.$ref === "string" && hops < 20; hops++) {
    const path = s.$ref.replace(/^#\//, "").split("/");
    s = path.reduce((node: any, key: string) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], g.doc) ?? {};
  }
  const combined = s.allOf ?? s.oneOf ?? s.anyOf;
  if (Array.isArray(combined)) {
    const parts = (s.allOf ? combined : combined.slice(0, 1)).map((p: Schema) => resolve(g, p));
    return parts.reduce(
      (acc: Schema, p: Schema) => ({
        ...acc,
        ...p,
        properties: { ...acc.properties, ...p.properties },
        required: [...(acc.required ?? []), ...(p.required ?? [])],
      }),
      { ...s, allOf: undefined, oneOf: undefined, anyOf: undefined },
    );
  }
  return s;
}

function next(g: Generator): number {
  // A small linear congruential sequence: the same body on every run.
  g.seed = (g.seed * 1103515245 + 12345) % 2 ** 31;
  return g.seed;
}

function stringValue(g: Generator, s: Schema, name: string): string {
  if (Array.isArray(s.enum) && s.enum.length > 0) return String(s.enum[next(g) % s.enum.length]);
  switch (s.format) {
    case "date-time":
      return new Date(Date.UTC(2025, 0, 1) + (next(g) % 1e9) * 1000).toISOString();
    case "uuid":
      return [8, 4, 4, 4, 12].map((n) => next(g).toString(16).padStart(n, "0").slice(-n)).join("-");
    case "uri":
      return `/compute-ops-mgmt/v1/${name}/${next(g).toString(36)}`;
    default:
      return `${name}-${next(g).toString(36)}`;
  }
}

function value(g: Generator, schema: Schema | undefined, name: string, depth: number, stack: Set<Schema>): unknown {
  const s = resolve(g, schema);
  if (stack.has(s) || depth > 6) return null;
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
  if (type === "object" || s.properties) {
    const out: Record<string, unknown> = {};
    const required = new Set<string>(s.required ?? []);
    stack.add(s);
    for (const [key, prop] of Object.entries<Schema>(s.properties ?? {})) {
      if (!required.has(key) && depth >= g.optionalDepth) continue;
      const v = value(g, prop, key, depth + 1, stack);
      // Empty objects and lists an optional field would carry add bytes but no work worth measuring.
      if (!required.has(key) && (v === null || (typeof v === "object" && Object.keys(v).length === 0))) continue;
      out[key] = v;
    }
    stack.delete(s);
    return out;
  }
  if (type === "array") return depth >= g.optionalDepth ? [] : [value(g, s.items, name, depth + 1, stack)];
  if (type === "integer") return next(g) % 1000;
  if (type === "number") return (next(g) % 100000) / 100;
  if (type === "boolean") return next(g) % 2 === 0;
  if (type === "string") return stringValue(g, s, name);
  return null;
}

function loadDocument(): Schema {
  return JSON.parse(readFileSync(join(repoRoot, "generated/openapi/compute-ops-mgmt.json"), "utf8")) as Schema;
}

function okSchema(doc: Schema, path: string): Schema {
  const content = doc.paths?.[path]?.get?.responses?.["200"]?.content ?? {};
  const media = content["application/json"] ?? Object.values(content)[0];
  if (!media?.schema) throw new Error(`bench payload: ${path} declares no 200 JSON schema in the compute-ops-mgmt document`);
  return media.schema as Schema;
}

export interface Payloads {
  /** A page of `itemsPerPage` servers. */
  page: string;
  /** One server, as GET by id answers. */
  item: string;
  itemsPerPage: number;
}

/**
 * A server with the schema's fields in declaration order (required first)
 * until it reaches `bytesPerItem`: a page of 100 is then the size of a
 * typical GreenLake page (about 22 KB) whatever the schema's width.
 */
function server(g: Generator, schema: Schema, bytesPerItem: number): Record<string, unknown> {
  const s = resolve(g, schema);
  const required = new Set<string>(s.required ?? []);
  const keys = Object.keys(s.properties ?? {}).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (JSON.stringify(out).length >= bytesPerItem && !required.has(key)) break;
    const v = value(g, s.properties[key], key, 1, new Set([s]));
    if (v === null || (typeof v === "object" && Object.keys(v).length === 0)) continue;
    out[key] = v;
  }
  return out;
}

export function buildPayloads(itemsPerPage = 100, bytesPerItem = 215): Payloads {
  const doc = loadDocument();
  const g: Generator = { doc, optionalDepth: 2, seed: 42 };
  const collection = resolve(g, okSchema(doc, PAGE_PATH));
  const itemSchema = collection.properties?.items?.items;
  if (!itemSchema) throw new Error(`bench payload: ${PAGE_PATH} answers no items array`);
  const items = Array.from({ length: itemsPerPage }, () => server(g, itemSchema, bytesPerItem));
  const page = { items, offset: 0, count: items.length, total: items.length * 10 };
  const item = server(g, okSchema(doc, ITEM_PATH), bytesPerItem);
  return { page: JSON.stringify(page), item: JSON.stringify(item), itemsPerPage };
}

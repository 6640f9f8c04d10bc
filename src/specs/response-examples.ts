/**
 * The correction that makes response schemas admit what HPE's own response examples show (a
 * field shown as `null` but not declared nullable, a number where only a string is declared),
 * so the generated types admit what the service returns. It only ever widens.
 */
import { listOperations, lookupPointer, resolveRef, type OpenApiDocument, type SchemaObject } from "./openapi.js";

/** A schema in place: `holder[key]`, so a widening can replace it (e.g. a `$ref` by a union). */
interface SchemaSite {
  readonly holder: Record<string, unknown>;
  readonly key: string;
  /** JSON pointer of the site, for reports. */
  readonly pointer: string;
}

/** One schema widened because an example contradicts it. */
export interface ExampleWidening {
  /** JSON pointer of the widened schema in the corrected document. */
  readonly pointer: string;
  /** What it now admits besides what it declared. */
  readonly admits: "null" | "number";
}

const pointerKey = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

function typeList(schema: SchemaObject): string[] | undefined {
  return schema.type === undefined ? undefined : [schema.type].flat();
}

/** True when `schema` (after `$ref`s) may admit `null`, judged generously: unclear schemas are left alone. */
function mayAdmitNull(document: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): boolean {
  const target = resolveRef(document, schema);
  if (!target || typeof target !== "object" || depth > 16) return true;
  if (target.nullable === true || typeList(target)?.includes("null") || target.const === null) return true;
  if (Array.isArray(target.enum)) return target.enum.includes(null);
  if (typeList(target) !== undefined) return false;
  for (const keyword of ["anyOf", "oneOf"] as const) {
    if (Array.isArray(target[keyword])) return target[keyword].some((alternative) => mayAdmitNull(document, alternative, depth + 1));
  }
  if (Array.isArray(target.allOf)) return target.allOf.every((member) => mayAdmitNull(document, member, depth + 1));
  // No type at all: `{}` or a bare `properties` list, which JSON Schema does not restrict to objects.
  return true;
}

const NUMERIC_FORMATS = new Set(["int32", "int64", "integer", "number", "float", "double", "decimal"]);

/**
 * True when `schema` (after `$ref`s) is a free string a number example contradicts: typed string
 * and not number, without `enum`, and without a format no number could have (`uuid`,
 * `date-time`, ...), where a number example is a placeholder rather than what is returned.
 */
function widensToNumber(document: OpenApiDocument, schema: SchemaObject | undefined): boolean {
  const target = resolveRef(document, schema);
  const types = target && typeof target === "object" ? typeList(target) : undefined;
  if (types === undefined || !types.includes("string") || types.includes("number") || types.includes("integer")) return false;
  return !Array.isArray(target!.enum) && (typeof target!.format !== "string" || NUMERIC_FORMATS.has(target!.format));
}

/** The site of property `name` in an object schema: its own `properties`, its `allOf` members', or `additionalProperties`. */
function propertySite(document: OpenApiDocument, schema: SchemaObject, pointer: string, name: string, depth = 0): SchemaSite | undefined {
  if (depth > 16) return undefined;
  const properties = schema.properties as Record<string, unknown> | undefined;
  if (properties && typeof properties === "object" && name in properties) return { holder: properties, key: name, pointer: `${pointer}/properties/${pointerKey(name)}` };
  for (const [i, member] of (schema.allOf ?? []).entries()) {
    const ref = member?.$ref;
    const target = resolveRef(document, member);
    if (!target || typeof target !== "object") continue;
    const site = propertySite(document, target, typeof ref === "string" ? ref.slice(1) : `${pointer}/allOf/${i}`, name, depth + 1);
    if (site) return site;
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === "object") return { holder: schema, key: "additionalProperties", pointer: `${pointer}/additionalProperties` };
  return undefined;
}

/** Documentation keys that stay on the outside when a schema is wrapped in a union. */
const DOCUMENTATION_KEYS = ["description", "example", "examples"];

/** `{ anyOf: [schema, extra] }`, with the schema's documentation (and examples, already judged) lifted out. */
function union(schema: SchemaObject, extra: SchemaObject): SchemaObject {
  const outside = Object.fromEntries(DOCUMENTATION_KEYS.filter((key) => key in schema).map((key) => [key, schema[key]]));
  const inside = Object.fromEntries(Object.entries(schema).filter(([key]) => !DOCUMENTATION_KEYS.includes(key)));
  return { ...outside, anyOf: [inside, extra] };
}

/** Makes the schema at `site` also admit `admits`, keeping everything it admitted before. */
function widen(site: SchemaSite, admits: "null" | "number", openapi30: boolean): void {
  const schema = site.holder[site.key] as SchemaObject;
  const extra: SchemaObject = { type: admits };
  if (typeof schema.$ref === "string") {
    // A referenced schema is shared; the union is written where the contradicting value sits.
    const { $ref, ...siblings } = schema;
    site.holder[site.key] = openapi30 && admits === "null" ? { ...siblings, allOf: [{ $ref }], nullable: true } : { ...siblings, anyOf: [{ $ref }, extra] };
    return;
  }
  if (admits === "null" && Array.isArray(schema.enum)) schema.enum.push(null);
  if (openapi30) {
    // OpenAPI 3.0 has no `null` type and no type lists.
    if (admits === "null") schema.nullable = true;
    else site.holder[site.key] = union(schema, extra);
    return;
  }
  const types = typeList(schema);
  if (types !== undefined) schema.type = [...types, admits];
  else if (Array.isArray(schema.anyOf)) schema.anyOf.push(extra);
  else if (Array.isArray(schema.oneOf)) schema.oneOf.push(extra);
  else site.holder[site.key] = union(schema, extra);
}

/** Walks `value` down the schema at `site`, widening each schema the value contradicts with a null or a number. */
function widenToValue(document: OpenApiDocument, site: SchemaSite, value: unknown, found: ExampleWidening[]): void {
  const schema = site.holder[site.key] as SchemaObject | undefined;
  if (!schema || typeof schema !== "object") return;
  const openapi30 = String(document.openapi ?? "").startsWith("3.0");
  if (value === null) {
    if (!mayAdmitNull(document, schema)) {
      widen(site, "null", openapi30);
      found.push({ pointer: site.pointer, admits: "null" });
    }
    return;
  }
  if (typeof value === "number") {
    if (widensToNumber(document, schema)) {
      widen(site, "number", openapi30);
      found.push({ pointer: site.pointer, admits: "number" });
    }
    return;
  }
  if (typeof value !== "object") return;
  const ref = schema.$ref;
  const target = resolveRef(document, schema);
  if (!target || typeof target !== "object") return;
  const pointer = typeof ref === "string" ? ref.slice(1) : site.pointer;
  // Alternatives (`anyOf`/`oneOf`) are not descended: which one a value meant is not for a build step to guess.
  if (Array.isArray(value)) {
    if (target.items && typeof target.items === "object") {
      for (const item of value) widenToValue(document, { holder: target as Record<string, unknown>, key: "items", pointer: `${pointer}/items` }, item, found);
    }
    return;
  }
  for (const [name, property] of Object.entries(value)) {
    const inner = propertySite(document, target, pointer, name);
    if (inner) widenToValue(document, inner, property, found);
  }
}

/** The examples of a media type object: `example`, and each `examples` entry's `value` (through `$ref`s). */
function mediaExamples(document: OpenApiDocument, media: Record<string, unknown>): unknown[] {
  const values: unknown[] = [];
  if ("example" in media) values.push(media.example);
  if (media.examples && typeof media.examples === "object") {
    for (const name of Object.keys(media.examples)) {
      const example = resolveRef(document, (media.examples as Record<string, unknown>)[name]) as { value?: unknown } | undefined;
      if (example && typeof example === "object" && "value" in example) values.push(example.value);
    }
  }
  return values;
}

/** The site a local reference points at (its parent and last key), or undefined. */
function siteOfRef(document: OpenApiDocument, ref: string): SchemaSite | undefined {
  if (!ref.startsWith("#/")) return undefined;
  const pointer = ref.slice(1);
  const cut = pointer.lastIndexOf("/");
  const holder = lookupPointer(document, pointer.slice(0, cut));
  const key = decodeURIComponent(pointer.slice(cut + 1)).replace(/~1/g, "/").replace(/~0/g, "~");
  if (!holder || typeof holder !== "object" || !(key in holder)) return undefined;
  return { holder: holder as Record<string, unknown>, key, pointer };
}

/**
 * Judges the examples schemas carry themselves (`example`, and 3.1 `examples` lists), in every
 * schema reachable from `site`: properties, items, additional properties, members of `allOf`,
 * `anyOf` and `oneOf`, through references, each schema once.
 */
function widenToSchemaExamples(document: OpenApiDocument, start: SchemaSite, seen: Set<object>, found: ExampleWidening[]): void {
  const visit = (site: SchemaSite, depth: number): void => {
    let schema = site.holder[site.key] as SchemaObject | undefined;
    if (!schema || typeof schema !== "object" || depth > 64) return;
    if (typeof schema.$ref === "string") {
      const target = siteOfRef(document, schema.$ref);
      if (target) visit(target, depth + 1);
      return;
    }
    if (seen.has(schema)) return;
    seen.add(schema);
    const examples = [..."example" in schema ? [schema.example] : [], ...(Array.isArray(schema.examples) ? schema.examples : [])];
    for (const example of examples) widenToValue(document, site, example, found);
    // A widening may have wrapped the schema in a union; its parts are walked below all the same.
    schema = site.holder[site.key] as SchemaObject;
    const children: SchemaSite[] = [];
    const at = (holder: object, key: string, pointer: string) => children.push({ holder: holder as Record<string, unknown>, key, pointer });
    const walkParts = (s: SchemaObject, pointer: string): void => {
      for (const name of Object.keys(s.properties ?? {})) at(s.properties!, name, `${pointer}/properties/${pointerKey(name)}`);
      if (s.items && typeof s.items === "object") at(s, "items", `${pointer}/items`);
      if (s.additionalProperties && typeof s.additionalProperties === "object") at(s, "additionalProperties", `${pointer}/additionalProperties`);
      for (const keyword of ["allOf", "anyOf", "oneOf"] as const) {
        if (Array.isArray(s[keyword])) s[keyword].forEach((_, i) => at(s[keyword]!, String(i), `${pointer}/${keyword}/${i}`));
      }
    };
    walkParts(schema, site.pointer);
    for (const child of children) visit(child, depth + 1);
  };
  visit(start, 0);
}

/**
 * Widens response schemas so they admit what the document's own response examples show: a
 * field shown as `null` that is not declared nullable, or a number where only a string is
 * declared. Both the examples of a response (`example`, `examples`) and those its schemas carry
 * are judged. Only these two contradictions are corrected, and only by adding to what a schema
 * admits. Returns the widenings, in document order.
 */
export function widenToResponseExamples(document: OpenApiDocument): ExampleWidening[] {
  const found: ExampleWidening[] = [];
  const responseSchemas: SchemaSite[] = [];
  for (const { path, method, operation } of listOperations(document)) {
    for (const [status, raw] of Object.entries(operation.responses ?? {})) {
      const response = resolveRef(document, raw) as { content?: Record<string, Record<string, unknown>> } | undefined;
      const ref = (raw as { $ref?: unknown } | undefined)?.$ref;
      const at = typeof ref === "string" ? ref.slice(1) : `/paths/${pointerKey(path)}/${method}/responses/${status}`;
      for (const [mediaType, media] of Object.entries(response?.content ?? {})) {
        if (!/json/i.test(mediaType) || !media || typeof media !== "object" || !media.schema) continue;
        const pointer = `${at}/content/${pointerKey(mediaType)}/schema`;
        for (const example of mediaExamples(document, media)) widenToValue(document, { holder: media, key: "schema", pointer }, example, found);
        responseSchemas.push({ holder: media, key: "schema", pointer });
      }
    }
  }
  const seen = new Set<object>();
  for (const site of responseSchemas) widenToSchemaExamples(document, site, seen, found);
  return found;
}

/** The correction form of widenToResponseExamples. */
export function admitResponseExampleValues(document: OpenApiDocument): boolean {
  return widenToResponseExamples(document).length > 0;
}

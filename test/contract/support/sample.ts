/**
 * A value that satisfies a JSON schema: the schema's own example when it has
 * one, else the smallest value built from its constraints (required
 * properties only, minimum lengths, the first enum member).
 */
import { deref, isObject, type Json, type JsonObject } from "./openapi.js";

const FORMAT_SAMPLES: Record<string, string> = {
  uuid: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
  "date-time": "2026-01-15T10:00:00Z",
  date: "2026-01-15",
  time: "10:00:00Z",
  email: "user@example.com",
  "idn-email": "user@example.com",
  uri: "https://example.com/resource",
  url: "https://example.com/resource",
  "uri-reference": "/resource",
  hostname: "host.example.com",
  ipv4: "192.0.2.10",
  ipv6: "2001:db8::10",
  byte: "aGVsbG8=",
  password: "Passw0rd!",
  duration: "PT1H",
};

function firstExample(schema: JsonObject): Json | undefined {
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  return undefined;
}

// Enough to satisfy the common shapes of `pattern` in these documents; anything else falls back to a plain word.
function stringFor(schema: JsonObject): string {
  const format = typeof schema.format === "string" ? schema.format : undefined;
  let value = (format && FORMAT_SAMPLES[format]) ?? "example";
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
  if (typeof schema.pattern === "string") {
    const re = new RegExp(schema.pattern, "u");
    const tries = [value, "3fa85f64-5717-4562-b3fc-2c963f66afa6", "example", "Example1", "a", "1", "0123456789abcdef0123456789abcdef", "ABC123"];
    value = tries.find((t) => re.test(t)) ?? value;
  }
  while (value.length < min) value += "x";
  if (value.length > max) value = value.slice(0, max);
  return value;
}

function merge(target: JsonObject, source: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [k, v] of Object.entries(source)) {
    if (k === "required" && Array.isArray(v)) out.required = [...new Set([...(Array.isArray(out.required) ? out.required : []), ...v])];
    else if (k === "properties" && isObject(v)) out.properties = { ...(isObject(out.properties) ? out.properties : {}), ...v };
    else if (out[k] === undefined) out[k] = v;
  }
  return out;
}

/** Flattens allOf into one schema (properties and required unioned). */
export function flatten(doc: JsonObject, input: Json | undefined, depth = 0): JsonObject {
  // OpenAPI 3.1 allows keywords beside $ref; they apply on top of the target.
  if (isObject(input) && typeof input.$ref === "string" && Object.keys(input).length > 1 && depth <= 12) {
    const { $ref, ...siblings } = input;
    return merge(flatten(doc, { $ref }, depth + 1), flatten(doc, siblings, depth + 1));
  }
  const schema = deref(doc, input);
  if (!isObject(schema)) return {};
  if (!Array.isArray(schema.allOf) || depth > 12) return schema;
  const { allOf, ...rest } = schema;
  return allOf.reduce<JsonObject>((acc, part) => merge(acc, flatten(doc, part, depth + 1)), rest);
}

export interface SampleOptions {
  /** Use `example`s found in the schema (off when an example was found not to validate). */
  readonly useExamples: boolean;
  /** Build optional properties too, not just required ones. */
  readonly optionalProperties: boolean;
  /** Which branch of each oneOf/anyOf to take (wraps around). */
  readonly branch?: number;
}

export function sample(doc: JsonObject, input: Json | undefined, options: SampleOptions, depth = 0): Json {
  const schema = flatten(doc, input);
  if (depth > 10) return null;
  if (options.useExamples) {
    const example = firstExample(schema);
    if (example !== undefined) return example;
  }
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.find((v) => v !== null) ?? schema.enum[0]!;
  if (schema.default !== undefined && options.useExamples) return schema.default;
  const variants = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
  if (variants && variants.length > 0) {
    // Merge the branch with the outer schema's own properties and discriminator.
    const usable = variants.filter((v) => !(isObject(v) && v.type === "null"));
    const pool = usable.length > 0 ? usable : variants;
    const branch = flatten(doc, pool[(options.branch ?? 0) % pool.length]);
    const { oneOf: _o, anyOf: _a, ...outer } = schema;
    return sample(doc, merge(branch, outer) as Json, options, depth + 1);
  }
  const types = Array.isArray(schema.type) ? schema.type.filter((t) => t !== "null") : [schema.type];
  const type = (types[0] as string | undefined) ?? (isObject(schema.properties) ? "object" : isObject(schema.items) ? "array" : "string");
  switch (type) {
    case "object": {
      const out: JsonObject = {};
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      for (const [name, prop] of Object.entries(properties)) {
        const p = flatten(doc, prop);
        if (p.readOnly === true) continue;
        if (required.has(name) || options.optionalProperties) out[name] = sample(doc, prop, options, depth + 1);
      }
      for (const name of required) if (!(name in out)) out[name] = "example";
      // minProperties: add optional properties until there are enough.
      const min = typeof schema.minProperties === "number" ? schema.minProperties : 0;
      for (const [name, prop] of Object.entries(properties)) {
        if (Object.keys(out).length >= min) break;
        if (!(name in out) && flatten(doc, prop).readOnly !== true) out[name] = sample(doc, prop, options, depth + 1);
      }
      return out;
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 1;
      const item = sample(doc, schema.items, options, depth + 1);
      // uniqueItems with a single repeated sample cannot be met; one item is then the safe count.
      return Array.from({ length: schema.uniqueItems === true ? Math.min(min, 1) || 1 : Math.max(min, 1) }, () => item);
    }
    case "integer":
    case "number": {
      const lo = typeof schema.minimum === "number" ? schema.minimum : typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + 1 : undefined;
      const hi = typeof schema.maximum === "number" ? schema.maximum : undefined;
      let n = lo ?? (hi !== undefined ? Math.min(hi, 1) : 1);
      if (typeof schema.multipleOf === "number") n = Math.ceil(n / schema.multipleOf) * schema.multipleOf;
      return n;
    }
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return stringFor(schema);
  }
}

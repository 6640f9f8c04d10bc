/**
 * Reading a document's schemas the way the state layer needs them: local
 * `$ref`s followed, `allOf` merged, the first `oneOf`/`anyOf` branch taken,
 * and each operation's request and response schemas found by method and path.
 */
import { readFileSync } from "node:fs";

export type Schema = Record<string, unknown>;

export interface OperationSchemas {
  /** The first 2xx status the document declares, and its JSON body schema if any. */
  readonly successStatus: number;
  readonly successSchema: Schema | undefined;
  /** The JSON request body schema, if any. */
  readonly requestSchema: Schema | undefined;
  /** Query parameter names the operation declares. */
  readonly queryParams: ReadonlySet<string>;
}

/** A schema that admits only null: `type: "null"` or `type: ["null"]`. */
export function nullOnly(schema: Schema | undefined): boolean {
  const t = schema?.type;
  return t === "null" || (Array.isArray(t) && t.length > 0 && t.every((x) => x === "null"));
}

const isObject = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

function jsonBody(content: unknown): Schema | undefined {
  if (!isObject(content)) return undefined;
  const key = Object.keys(content).find((k) => k.includes("json")) ?? Object.keys(content)[0];
  const media = key === undefined ? undefined : content[key];
  return isObject(media) && isObject(media.schema) ? media.schema : undefined;
}

export class DocumentSchemas {
  readonly #flat = new WeakMap<Schema, Schema>();
  readonly #ops = new Map<string, OperationSchemas | undefined>();

  constructor(readonly document: Schema) {}

  static load(file: string): DocumentSchemas {
    return new DocumentSchemas(JSON.parse(readFileSync(file, "utf8")) as Schema);
  }

  /** Follows `#/...` references until a non-reference object. */
  deref(node: unknown): Schema | undefined {
    let current = node;
    for (let hops = 0; isObject(current) && typeof current.$ref === "string" && hops < 32; hops++) {
      const ref = current.$ref as string;
      if (!ref.startsWith("#/")) return undefined;
      current = ref
        .slice(2)
        .split("/")
        .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
        .reduce<unknown>((acc, key) => (isObject(acc) ? acc[key] : undefined), this.document);
    }
    return isObject(current) ? current : undefined;
  }

  /** One object schema with `allOf` merged and the first `oneOf`/`anyOf` branch folded in. */
  flatten(node: unknown, depth = 0): Schema {
    const schema = this.deref(node) ?? {};
    const cached = this.#flat.get(schema);
    if (cached !== undefined) return cached;
    if (depth > 24) return schema;
    const parts: Schema[] = [schema];
    if (Array.isArray(schema.allOf)) parts.push(...schema.allOf.map((s) => this.flatten(s, depth + 1)));
    for (const key of ["oneOf", "anyOf"] as const) {
      const branches = schema[key];
      if (Array.isArray(branches) && branches.length > 0) {
        // Prefer a branch that is not null-only, so `anyOf: [{type: null}, X]` yields X.
        const chosen = branches.find((b) => !nullOnly(this.deref(b))) ?? branches[0];
        parts.push(this.flatten(chosen, depth + 1));
      }
    }
    if (parts.length === 1) {
      this.#flat.set(schema, schema);
      return schema;
    }
    const merged: Schema = {};
    const properties: Schema = {};
    const required = new Set<string>();
    for (const part of parts) {
      for (const [k, v] of Object.entries(part)) {
        if (k === "allOf" || k === "oneOf" || k === "anyOf" || k === "properties" || k === "required") continue;
        if (merged[k] === undefined) merged[k] = v;
      }
      if (isObject(part.properties)) Object.assign(properties, part.properties);
      if (Array.isArray(part.required)) for (const r of part.required) required.add(String(r));
    }
    if (Object.keys(properties).length > 0) {
      merged.properties = properties;
      merged.type ??= "object";
    }
    if (required.size > 0) merged.required = [...required];
    this.#flat.set(schema, merged);
    return merged;
  }

  /** Every property any branch (`allOf`, `oneOf`, `anyOf`) of `node` declares. */
  allProperties(node: unknown, depth = 0): Record<string, unknown> {
    const schema = this.deref(node) ?? {};
    const out: Record<string, unknown> = isObject(schema.properties) ? { ...schema.properties } : {};
    if (depth > 16) return out;
    for (const key of ["allOf", "oneOf", "anyOf"] as const) {
      const branches = schema[key];
      if (Array.isArray(branches)) for (const b of branches) Object.assign(out, this.allProperties(b, depth + 1), out);
    }
    return out;
  }

  /** A property's schema, flattened; undefined when the object does not declare it. */
  property(schema: Schema, name: string): Schema | undefined {
    const props = this.flatten(schema).properties;
    return isObject(props) && props[name] !== undefined ? this.flatten(props[name]) : undefined;
  }

  operation(method: string, path: string): OperationSchemas | undefined {
    const key = `${method} ${path}`;
    if (this.#ops.has(key)) return this.#ops.get(key);
    const paths = this.document.paths;
    const item = isObject(paths) ? this.deref(paths[path]) : undefined;
    const op = item === undefined ? undefined : this.deref(item[method.toLowerCase()]);
    let result: OperationSchemas | undefined;
    if (op !== undefined) {
      const responses = isObject(op.responses) ? op.responses : {};
      const success = Object.keys(responses).filter((s) => /^2\d\d$/.test(s)).sort()[0];
      const response = success === undefined ? undefined : this.deref(responses[success]);
      const body = this.deref(op.requestBody);
      const params = [...(Array.isArray(item!.parameters) ? item!.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])];
      const queryParams = new Set(params.map((p) => this.deref(p)).filter((p) => p?.in === "query").map((p) => String(p!.name)));
      result = {
        successStatus: success === undefined ? 200 : Number(success),
        successSchema: jsonBody(response?.content),
        requestSchema: jsonBody(body?.content),
        queryParams,
      };
    }
    this.#ops.set(key, result);
    return result;
  }
}

/** The small part of OpenAPI 3.x the pipeline reads, and helpers to walk it. */
import type { HttpMethod } from "../metadata.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface OpenApiDocument {
  openapi?: string;
  servers?: ServerObject[];
  paths?: Record<string, PathItem>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface ServerObject {
  url: string;
  description?: string;
  [key: string]: unknown;
}

export type PathItem = { parameters?: unknown[]; servers?: ServerObject[] } & { [method: string]: unknown };

export interface OperationObject {
  operationId?: string;
  deprecated?: boolean;
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
  servers?: ServerObject[];
  [key: string]: unknown;
}

export interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  schema?: SchemaObject;
  [key: string]: unknown;
}

export interface SchemaObject {
  type?: string | string[];
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  required?: string[];
  enum?: unknown[];
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  maximum?: number;
  $ref?: string;
  [key: string]: unknown;
}

export const HTTP_METHODS: readonly HttpMethod[] = ["get", "put", "post", "delete", "patch", "head", "options"];

export interface OperationRef {
  readonly path: string;
  readonly method: HttpMethod;
  readonly operation: OperationObject;
  readonly pathItem: PathItem;
}

/** Operations in document order. */
export function listOperations(document: OpenApiDocument): OperationRef[] {
  const operations: OperationRef[] = [];
  for (const [path, pathItem] of Object.entries(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation && typeof operation === "object") operations.push({ path, method, operation: operation as OperationObject, pathItem });
    }
  }
  return operations;
}

/** Follows local `$ref`s (`#/...`) until a non-reference value. */
export function resolveRef<T>(document: OpenApiDocument, value: T): T {
  let current: unknown = value;
  const seen = new Set<string>();
  while (current && typeof current === "object" && typeof (current as { $ref?: unknown }).$ref === "string") {
    const ref = (current as { $ref: string }).$ref;
    if (!ref.startsWith("#/") || seen.has(ref)) return current as T;
    seen.add(ref);
    current = lookupPointer(document, ref.slice(1));
  }
  return current as T;
}

/** Value at a JSON pointer (`/a/b~1c`), or undefined. */
export function lookupPointer(root: unknown, pointer: string): unknown {
  if (pointer === "") return root;
  let current: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Path-level and operation-level parameters, resolved; the operation's win on name+location. */
export function operationParameters(document: OpenApiDocument, ref: OperationRef): ParameterObject[] {
  const merged = new Map<string, ParameterObject>();
  for (const raw of [...(ref.pathItem.parameters ?? []), ...(ref.operation.parameters ?? [])]) {
    const parameter = resolveRef(document, raw as ParameterObject);
    if (parameter && typeof parameter.name === "string") merged.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  return [...merged.values()];
}

/** Properties of an object schema, with `allOf` members merged and references followed. */
export function schemaProperties(document: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): Record<string, SchemaObject> {
  const resolved = resolveRef(document, schema);
  if (!resolved || depth > 16) return {};
  const properties: Record<string, SchemaObject> = {};
  for (const member of resolved.allOf ?? []) Object.assign(properties, schemaProperties(document, member, depth + 1));
  for (const [name, property] of Object.entries(resolved.properties ?? {})) properties[name] = resolveRef(document, property);
  return properties;
}

/** The schema's type names (`type` may be a string or, in OpenAPI 3.1, a list). */
export function schemaTypes(document: OpenApiDocument, schema: SchemaObject | undefined): string[] {
  const resolved = resolveRef(document, schema);
  if (!resolved) return [];
  if (Array.isArray(resolved.type)) return resolved.type;
  if (typeof resolved.type === "string") return [resolved.type];
  if (resolved.items) return ["array"];
  if (resolved.properties) return ["object"];
  for (const member of resolved.allOf ?? []) {
    const types = schemaTypes(document, member);
    if (types.length > 0) return types;
  }
  return [];
}

/** JSON schema of the first 2xx response with a JSON body. */
export function successResponseSchema(document: OpenApiDocument, operation: OperationObject): SchemaObject | undefined {
  const statuses = Object.keys(operation.responses ?? {}).filter((status) => /^2\d\d$/.test(status)).sort();
  for (const status of statuses) {
    const response = resolveRef(document, operation.responses![status]) as { content?: Record<string, { schema?: SchemaObject }> } | undefined;
    for (const [mediaType, media] of Object.entries(response?.content ?? {})) {
      if (/json/i.test(mediaType) && media?.schema) return media.schema;
    }
  }
  return undefined;
}

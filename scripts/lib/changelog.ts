/** What changed between two versions of a document, from an API consumer's point of view. */
import { listOperations, operationParameters, resolveRef, schemaTypes, successResponseSchema, type OpenApiDocument, type OperationRef, type SchemaObject } from "../../src/specs/openapi.js";

export interface DocumentChanges {
  readonly added: string[];
  readonly removed: string[];
  readonly deprecated: string[];
  /** One line each: `GET /path: what broke`. */
  readonly breaking: string[];
}

export function compareDocuments(before: OpenApiDocument, after: OpenApiDocument): DocumentChanges {
  const oldOps = operationsByName(before);
  const newOps = operationsByName(after);
  const changes: DocumentChanges = { added: [], removed: [], deprecated: [], breaking: [] };
  for (const name of newOps.keys()) if (!oldOps.has(name)) changes.added.push(name);
  for (const name of oldOps.keys()) if (!newOps.has(name)) changes.removed.push(name);
  for (const [name, now] of newOps) {
    const was = oldOps.get(name);
    if (!was) continue;
    if (now.operation.deprecated === true && was.operation.deprecated !== true) changes.deprecated.push(name);
    for (const problem of breakingChanges(before, was, after, now)) changes.breaking.push(`${name}: ${problem}`);
  }
  for (const list of Object.values(changes)) list.sort();
  return changes;
}

export function isEmpty(changes: DocumentChanges): boolean {
  return Object.values(changes).every((list) => list.length === 0);
}

function operationsByName(document: OpenApiDocument): Map<string, OperationRef> {
  return new Map(listOperations(document).map((ref) => [`${ref.method.toUpperCase()} ${ref.path}`, ref]));
}

function breakingChanges(before: OpenApiDocument, was: OperationRef, after: OpenApiDocument, now: OperationRef): string[] {
  const problems: string[] = [];
  const oldParams = new Map(operationParameters(before, was).map((p) => [`${p.in} parameter ${p.name}`, p]));
  for (const param of operationParameters(after, now)) {
    const label = `${param.in} parameter ${param.name}`;
    const old = oldParams.get(label);
    if (param.required && !old?.required) problems.push(`new required ${label}`);
    if (old) problems.push(...compareField(label, describeField(before, old.schema), describeField(after, param.schema), "request"));
  }

  const oldBody = flattenSchema(before, requestSchema(before, was));
  const newBody = flattenSchema(after, requestSchema(after, now));
  for (const [path, field] of newBody) {
    const old = oldBody.get(path);
    if (field.required && !old?.required) problems.push(`new required body field ${path}`);
    if (old) problems.push(...compareField(`body field ${path}`, old, field, "request"));
  }

  const oldResponse = flattenSchema(before, successResponseSchema(before, was.operation));
  const newResponse = flattenSchema(after, successResponseSchema(after, now.operation));
  for (const [path, old] of oldResponse) {
    const field = newResponse.get(path);
    if (!field) problems.push(`response field ${path} removed`);
    else problems.push(...compareField(`response field ${path}`, old, field, "response"));
  }
  return problems;
}

interface FieldShape {
  readonly types: string;
  readonly enum?: readonly unknown[];
  readonly required: boolean;
}

function compareField(label: string, old: FieldShape, now: FieldShape, side: "request" | "response"): string[] {
  const problems: string[] = [];
  if (old.types && now.types && old.types !== now.types) problems.push(`${label} type changed from ${old.types} to ${now.types}`);
  // Fewer accepted values break callers sending them; responses may always narrow.
  if (side === "request" && now.enum) {
    const dropped = (old.enum ?? []).filter((value) => !now.enum!.some((v) => JSON.stringify(v) === JSON.stringify(value)));
    if (!old.enum) problems.push(`${label} now restricted to an enum`);
    else if (dropped.length > 0) problems.push(`${label} enum no longer accepts ${dropped.map((v) => JSON.stringify(v)).join(", ")}`);
  }
  return problems;
}

function describeField(document: OpenApiDocument, schema: SchemaObject | undefined, required = false): FieldShape {
  const resolved = resolveRef(document, schema);
  const types = schemaTypes(document, resolved).sort().join("|");
  return { types, required, ...(Array.isArray(resolved?.enum) ? { enum: resolved.enum } : {}) };
}

function requestSchema(document: OpenApiDocument, ref: OperationRef): SchemaObject | undefined {
  const body = resolveRef(document, ref.operation.requestBody) as { content?: Record<string, { schema?: SchemaObject }> } | undefined;
  const json = Object.entries(body?.content ?? {}).find(([type]) => /json/i.test(type));
  return json?.[1].schema;
}

/** Every field reachable from a schema, keyed `a.b`, `items[].c`, with its shape. */
function flattenSchema(document: OpenApiDocument, schema: SchemaObject | undefined): Map<string, FieldShape> {
  const fields = new Map<string, FieldShape>();
  const walk = (node: SchemaObject | undefined, prefix: string, depth: number, refs: ReadonlySet<string>): void => {
    if (!node || depth > 8) return;
    const ref = node.$ref;
    if (ref && refs.has(ref)) return;
    const seen = ref ? new Set([...refs, ref]) : refs;
    const resolved = resolveRef(document, node);
    const required = new Set<string>([...(resolved?.required ?? []), ...(resolved?.allOf ?? []).flatMap((m) => resolveRef(document, m)?.required ?? [])]);
    for (const [name, property] of Object.entries(unresolvedProperties(document, resolved))) {
      const path = prefix ? `${prefix}.${name}` : name;
      fields.set(path, describeField(document, property, required.has(name)));
      walk(property, path, depth + 1, seen);
    }
    const items = resolveRef(document, resolved)?.items;
    if (items) walk(items, `${prefix}[]`, depth + 1, seen);
  };
  walk(schema, "", 0, new Set());
  return fields;
}

/** Like schemaProperties, but keeps each property's `$ref` so walks can spot cycles. */
function unresolvedProperties(document: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): Record<string, SchemaObject> {
  const resolved = resolveRef(document, schema);
  if (!resolved || depth > 16) return {};
  const properties: Record<string, SchemaObject> = {};
  for (const member of resolved.allOf ?? []) Object.assign(properties, unresolvedProperties(document, member, depth + 1));
  Object.assign(properties, resolved.properties ?? {});
  return properties;
}

/**
 * What the `glp` command line needs to know of each operation, beyond the runtime
 * metadata: a command name, tags, summary, every parameter (location, type, enum,
 * default, required) and the request body's top-level fields. Written as one module
 * per service under generated/cli/, loaded only for the service a command names.
 */
import { createHash } from "node:crypto";
import type { CliBody, CliField, CliIndex, CliOperation, CliParameter, CliService } from "../../src/cli/metadata.js";
import type { ServiceMetadata } from "../../src/metadata.js";
import { GENERATED_HEADER } from "./render.js";
import {
  listOperations,
  operationParameters,
  resolveRef,
  schemaProperties,
  schemaTypes,
  successResponseSchema,
  type OpenApiDocument,
  type OperationRef,
  type ParameterObject,
  type SchemaObject,
} from "../../src/specs/openapi.js";
import type { KeyedDocument } from "./service-metadata.js";

/** Options of every operation command; a parameter of the same name gets `--param-<name>` instead. */
export const RESERVED_FLAGS = new Set([
  "all",
  "all-tenants",
  "columns",
  "concurrency",
  "data",
  "help",
  "max-items",
  "mock",
  "output",
  "profile",
  "raw",
  "region",
  "set",
  "tenant",
  "verbose",
  "wait",
  "no-progress",
  "progress",
  "tenant-concurrency",
]);

const VERSION_TOKEN = /^v\d+((alpha|beta)\d*)?$/i;

/** `getUsersV1` / `get_users` / `DeviceType4SystemsList` -> lower-case words. */
export function words(id: string): string[] {
  return id
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/**
 * FastAPI names operations `<name>_<path slug>_<method>`
 * (`get_users_identity_v1_users_get`); the name before the path is the readable part.
 */
function withoutRouteSuffix(operationId: string, ref: OperationRef): string {
  if (!operationId.endsWith(`_${ref.method}`)) return operationId;
  const first = ref.path.split("/").find(Boolean);
  if (first === undefined) return operationId;
  const at = operationId.indexOf(`_${first.replace(/[^A-Za-z0-9]/g, "_")}_`);
  return at > 0 ? operationId.slice(0, at) : operationId;
}

/** Candidate command names, most readable first; the last one is unique for any operation. */
function nameCandidates(ref: OperationRef): string[] {
  const id = ref.operation.operationId!;
  const readable = words(withoutRouteSuffix(id, ref));
  const noVersion = readable.filter((w) => !VERSION_TOKEN.test(w));
  const full = words(id);
  const route = words(ref.path.replace(/[{}]/g, ""));
  return [
    (noVersion.length > 0 ? noVersion : readable).join("-"),
    readable.join("-"),
    full.join("-"),
    [...full, ...route].join("-"),
    [ref.method, ...full, ...route].join("-"),
    // Paths that differ only in punctuation (`/a` and `/a-`) still need two names.
    [ref.method, ...full, ...route, createHash("sha256").update(`${ref.method} ${ref.path}`).digest("hex").slice(0, 6)].join("-"),
  ];
}

/** A name per operation: the most readable candidate that no other operation of the service shares. */
export function commandNames(refs: readonly OperationRef[]): string[] {
  const candidates = refs.map(nameCandidates);
  const level = refs.map(() => 0);
  for (let changed = true; changed; ) {
    changed = false;
    const count = new Map<string, number>();
    candidates.forEach((c, i) => count.set(c[level[i]!]!, (count.get(c[level[i]!]!) ?? 0) + 1));
    candidates.forEach((c, i) => {
      if (count.get(c[level[i]!]!)! > 1 && level[i]! < c.length - 1) {
        level[i]!++;
        changed = true;
      }
    });
  }
  const names = candidates.map((c, i) => c[level[i]!]!);
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw new Error(`cli: two operations are both named ${n} (${refs[i]!.method.toUpperCase()} ${refs[i]!.path})`);
    seen.add(n);
  });
  return names;
}

/** `systemId` -> `system-id`, `Tenant-Acid` -> `tenant-acid`, `fields[]` -> `fields`. */
export function flagOf(name: string): string {
  const kebab = words(name).join("-");
  return kebab === "" ? "param" : kebab;
}

function typeName(document: OpenApiDocument, schema: SchemaObject | undefined): string {
  const resolved = resolveRef(document, schema);
  const types = schemaTypes(document, resolved).filter((t) => t !== "null");
  if (types.length === 0) {
    const member = resolved?.oneOf?.[0] ?? resolved?.anyOf?.[0];
    return member ? typeName(document, member) : "string";
  }
  const type = types[0]!;
  if (type === "array") return `array<${typeName(document, resolved?.items)}>`;
  return type;
}

function enumOf(document: OpenApiDocument, schema: SchemaObject | undefined): unknown[] | undefined {
  const resolved = resolveRef(document, schema);
  if (!resolved) return undefined;
  if (Array.isArray(resolved.enum)) return resolved.enum.filter((v) => v !== null);
  if (resolved.items) return enumOf(document, resolved.items);
  for (const member of [...(resolved.allOf ?? []), ...(resolved.oneOf ?? []), ...(resolved.anyOf ?? [])]) {
    const values = enumOf(document, member);
    if (values) return values;
  }
  return undefined;
}

/** First sentence of a description, on one line, for the help listing. */
function brief(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const line = text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
  if (line === "") return undefined;
  const sentence = /^(.{20,}?[.!?])(\s|$)/.exec(line)?.[1] ?? line;
  return sentence.length > 160 ? `${sentence.slice(0, 157)}...` : sentence;
}

function parameterSchema(document: OpenApiDocument, parameter: ParameterObject): SchemaObject | undefined {
  if (parameter.schema) return parameter.schema;
  const content = parameter.content as Record<string, { schema?: SchemaObject }> | undefined;
  return content ? Object.values(content)[0]?.schema : undefined;
}

function cliParameters(document: OpenApiDocument, ref: OperationRef): CliParameter[] {
  const parameters = operationParameters(document, ref).filter((p) => p.in === "path" || p.in === "query" || p.in === "header");
  const used = new Set<string>();
  return parameters.map((p) => {
    const schema = resolveRef(document, parameterSchema(document, p));
    let flag = flagOf(p.name);
    if (RESERVED_FLAGS.has(flag)) flag = `param-${flag}`;
    if (used.has(flag)) flag = `${flag}-${p.in}`;
    if (used.has(flag)) throw new Error(`cli: ${ref.method.toUpperCase()} ${ref.path}: two parameters map to --${flag}`);
    used.add(flag);
    const values = enumOf(document, schema);
    const out: CliParameter = {
      name: p.name,
      in: p.in as CliParameter["in"],
      flag,
      type: typeName(document, schema),
      required: p.in === "path" || p.required === true,
      ...(values && values.length > 0 ? { enum: values as (string | number | boolean)[] } : {}),
      ...(schema?.default !== undefined ? { default: schema.default as CliParameter["default"] } : {}),
      ...(p.deprecated === true ? { deprecated: true } : {}),
      ...(brief(p.description ?? schema?.description) ? { description: brief(p.description ?? schema?.description)! } : {}),
    };
    return out;
  });
}

/** Top-level properties of a body schema: `allOf` merged, `oneOf`/`anyOf` alternatives unioned. */
function bodyFields(document: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): { fields: Map<string, SchemaObject>; required: Set<string> } {
  const resolved = resolveRef(document, schema);
  const fields = new Map<string, SchemaObject>();
  const required = new Set<string>();
  if (!resolved || depth > 8) return { fields, required };
  for (const [name, property] of Object.entries(schemaProperties(document, resolved))) fields.set(name, property);
  for (const name of resolved.required ?? []) required.add(name);
  for (const member of resolved.allOf ?? []) for (const name of resolveRef(document, member)?.required ?? []) required.add(name);
  for (const member of [...(resolved.oneOf ?? []), ...(resolved.anyOf ?? [])]) {
    for (const [name, property] of bodyFields(document, member, depth + 1).fields) if (!fields.has(name)) fields.set(name, property);
  }
  return { fields, required };
}

function cliBody(document: OpenApiDocument, ref: OperationRef): CliBody | undefined {
  const body = resolveRef(document, ref.operation.requestBody as { required?: boolean; content?: Record<string, { schema?: SchemaObject }> } | undefined);
  if (!body?.content) return undefined;
  const mediaTypes = Object.keys(body.content).sort();
  const mediaType = mediaTypes.find((m) => m === "application/json") ?? mediaTypes.find((m) => /json/i.test(m)) ?? mediaTypes[0]!;
  const schema = resolveRef(document, body.content[mediaType]?.schema);
  const { fields, required } = bodyFields(document, schema);
  const list: CliField[] = [];
  for (const [name, property] of [...fields.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const resolved = resolveRef(document, property);
    if (resolved?.readOnly === true) continue;
    const values = enumOf(document, resolved);
    list.push({
      name,
      type: typeName(document, resolved),
      required: required.has(name),
      ...(values && values.length > 0 ? { enum: values as (string | number | boolean)[] } : {}),
    });
  }
  return { mediaType, required: body.required === true, type: typeName(document, schema), fields: list };
}

/** Default table columns. A scalar field of a response item: its dotted path and JSON type. */
export interface ColumnCandidate {
  readonly path: string;
  readonly type: string;
}

const MAX_COLUMNS = 6;

const last = (path: string) => path.slice(path.lastIndexOf(".") + 1);

/** In order: the id, a name, then the fields that tell rows apart for a person. */
const RULES: readonly ((path: string) => boolean)[] = [
  (p) => p === "id",
  (p) => /^(name|displayName|username|userName|title)$/.test(last(p)),
  (p) => /^email/i.test(last(p)),
  (p) => !p.includes(".") && /[a-z]Name$/.test(p),
  (p) => last(p) === "clientId",
  (p) => /^principal$/i.test(p),
  (p) => /^role$|^roleName$/i.test(p),
  (p) => last(p) === "grn",
  (p) => /serial/i.test(last(p)),
  (p) => /model$/i.test(last(p)),
  (p) => /^(state|status)$/i.test(last(p)),
  (p) => !p.includes(".") && /[a-z](State|Status)$/.test(p),
  (p) => /^(type|resourceType|deviceType)$/.test(last(p)),
  (p) => /^region$/.test(last(p)),
];

/**
 * Up to six columns from an item schema's scalar fields, ranked by RULES (top-level fields
 * before nested ones within a rule); undefined when fewer than two fields qualify, so the
 * output falls back to the fields the items have.
 */
export function rankColumns(candidates: readonly ColumnCandidate[]): string[] | undefined {
  const usable = candidates.filter((c) => c.type !== "object" && !c.path.split(".").some((k) => k === ""));
  const depth = (p: string) => p.split(".").length;
  const chosen: string[] = [];
  for (const rule of RULES) {
    const matches = usable.filter((c) => rule(c.path) && !chosen.includes(c.path)).sort((a, b) => depth(a.path) - depth(b.path));
    // One nested match per rule at most: a name at the top level says more than a name deep inside.
    for (const match of matches) {
      if (chosen.length >= MAX_COLUMNS) break;
      if (depth(match.path) > 1 && chosen.some((c) => rule(c))) continue;
      chosen.push(match.path);
    }
  }
  return chosen.length >= 2 ? chosen : undefined;
}

/** Scalar fields of an item schema, top level and one level into objects, as column candidates. */
function columnCandidates(document: OpenApiDocument, item: SchemaObject | undefined): ColumnCandidate[] {
  const out: ColumnCandidate[] = [];
  for (const [name, property] of Object.entries(schemaProperties(document, item))) {
    const type = typeName(document, property);
    if (type === "object") {
      for (const [inner, child] of Object.entries(schemaProperties(document, property))) {
        const innerType = typeName(document, child);
        if (innerType !== "object" && !innerType.startsWith("array<object")) out.push({ path: `${name}.${inner}`, type: innerType });
      }
    } else if (!type.startsWith("array<object")) {
      out.push({ path: name, type });
    }
  }
  return out;
}

/** Default columns of an operation's table: from the items of a list answer, or the resource itself. */
function defaultColumns(document: OpenApiDocument, ref: OperationRef, itemsField: string | undefined): string[] | undefined {
  const schema = resolveRef(document, successResponseSchema(document, ref.operation));
  if (!schema) return undefined;
  let item: SchemaObject | undefined = schema;
  if (typeName(document, schema).startsWith("array<")) item = resolveRef(document, schema.items);
  else {
    const list = schemaProperties(document, schema)[itemsField ?? "items"];
    if (list && typeName(document, list).startsWith("array<")) item = resolveRef(document, resolveRef(document, list).items);
  }
  return rankColumns(columnCandidates(document, item));
}

export function buildCliService(metadata: ServiceMetadata, documents: readonly KeyedDocument[]): CliService {
  const refs: { ref: OperationRef; document: OpenApiDocument }[] = [];
  for (const { document } of documents) for (const ref of listOperations(document)) refs.push({ ref, document });
  const byKey = new Map(refs.map((r) => [`${r.ref.method} ${r.ref.path}`, r]));
  // The runtime metadata's order (path, then method), so output does not depend on document order.
  const ordered = metadata.operations.map((op) => byKey.get(`${op.method} ${op.path}`)!);
  const names = commandNames(ordered.map((r) => r.ref));
  const operations: CliOperation[] = ordered.map(({ ref, document }, i) => {
    const runtime = metadata.operations[i]!;
    const tags = Array.isArray(ref.operation.tags) ? (ref.operation.tags as string[]) : [];
    const summary = brief(ref.operation.summary) ?? brief(ref.operation.description);
    const body = cliBody(document, ref);
    const columns = defaultColumns(document, ref, runtime.pagination?.itemsField);
    return {
      name: names[i]!,
      operationId: runtime.operationId,
      method: runtime.method,
      path: runtime.path,
      tags: tags.length > 0 ? tags : ["other"],
      ...(summary ? { summary } : {}),
      deprecated: runtime.deprecated,
      parameters: cliParameters(document, ref),
      ...(body ? { body } : {}),
      ...(runtime.pagination ? { paginated: true } : {}),
      ...(columns ? { columns } : {}),
    };
  });
  return { service: metadata.service, regions: Object.keys(metadata.servers), operations };
}

export function renderCliModule(service: CliService): string {
  return `${GENERATED_HEADER}import type { CliService } from "../../src/cli/metadata.js";

export const cli: CliService = ${JSON.stringify(service)};
`;
}

/** Region names of every service, sorted, without \`global\`. */
export function allRegions(services: readonly CliService[]): string[] {
  return [...new Set(services.flatMap((s) => s.regions).filter((r) => r !== "global"))].sort();
}

export function renderCliIndex(services: readonly CliService[]): string {
  const index: CliIndex = Object.fromEntries(services.map((s) => [s.service, s.operations.map((op) => op.name)]));
  return `${GENERATED_HEADER}import type { CliIndex } from "../../src/cli/metadata.js";

/** Every service's command names, for top-level help and shell completion without loading the services. */
export const index: CliIndex = ${JSON.stringify(index, null, 1)};

/** Every region a service is served in (\`global\` aside), for telling a typo from a region a service lacks. */
export const regions: readonly string[] = ${JSON.stringify(allRegions(services))};
`;
}

/** Building blocks for src/specs/corrections.ts: small, checked edits of an OpenAPI document. */
import type { HttpMethod, PaginationMetadata } from "../metadata.js";
import { listOperations, lookupPointer, resolveRef, type OpenApiDocument, type OperationObject, type ParameterObject, type SchemaObject } from "./openapi.js";
import { PAGINATION_EXTENSION } from "./pagination.js";
import { REGION_EXTENSION, regionForServerUrl } from "./regions.js";

export function operationAt(document: OpenApiDocument, method: HttpMethod, path: string): OperationObject {
  const operation = document.paths?.[path]?.[method];
  if (!operation || typeof operation !== "object") throw new Error(`no operation ${method.toUpperCase()} ${path}`);
  return operation as OperationObject;
}

/** States how an operation pages, overriding detection (see pagination.ts). */
export function setPagination(method: HttpMethod, path: string, pagination: Partial<PaginationMetadata> | false) {
  return (document: OpenApiDocument): boolean => {
    const operation = operationAt(document, method, path);
    if (JSON.stringify(operation[PAGINATION_EXTENSION]) === JSON.stringify(pagination)) return false;
    operation[PAGINATION_EXTENSION] = pagination as never;
    return true;
  };
}

/** Tags every server (document, path and operation level) with the region it serves. */
export function nameServerRegions(document: OpenApiDocument): boolean {
  const serverLists = [document.servers ?? []];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    if (item.servers) serverLists.push(item.servers);
    for (const { operation } of listOperations({ paths: { [path]: item } })) if (operation.servers) serverLists.push(operation.servers);
  }
  let changed = false;
  for (const server of serverLists.flat()) {
    const region = regionForServerUrl(server.url);
    if (!region) throw new Error(`server ${server.url} serves no known region; add it to src/specs/regions.ts`);
    if (server[REGION_EXTENSION] !== region) {
      server[REGION_EXTENSION] = region;
      changed = true;
    }
  }
  return changed;
}

/** Gives operations without an `operationId` one derived from method and path. */
export function addMissingOperationIds(document: OpenApiDocument): boolean {
  const taken = new Set(listOperations(document).map((op) => op.operation.operationId).filter(Boolean));
  let changed = false;
  for (const { method, path, operation } of listOperations(document)) {
    if (operation.operationId) continue;
    let id = operationIdFromPath(method, path);
    for (let n = 2; taken.has(id); n++) id = `${operationIdFromPath(method, path)}${n}`;
    taken.add(id);
    operation.operationId = id;
    changed = true;
  }
  return changed;
}

/** `get /reporting/v1/async-operations/{id}` -> `getReportingV1AsyncOperationsById`. */
export function operationIdFromPath(method: string, path: string): string {
  const words = path
    .split("/")
    .filter(Boolean)
    .flatMap((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      return param ? ["by", ...param[1]!.split(/[^A-Za-z0-9]+/)] : segment.split(/[^A-Za-z0-9]+/);
    })
    .filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/** Declares a security scheme operations already reference but the document never defines. */
export function defineSecurityScheme(name: string, scheme: Record<string, unknown>) {
  return (document: OpenApiDocument): boolean => {
    const components = (document.components ??= {});
    const schemes = (components.securitySchemes ??= {});
    if (name in schemes) return false;
    schemes[name] = scheme;
    return true;
  };
}

/** Returned by a `forEachObject` visitor to leave the children of the visited object unwalked. */
const SKIP_CHILDREN = Symbol("skip children");

/**
 * Calls `visit` on every non-array object under `root`, parents before children, except below
 * objects whose visit returned `SKIP_CHILDREN`. Children are read after `visit` returns, so a
 * visitor's edits to its own node decide what is walked next.
 */
function forEachObject(root: unknown, visit: (node: Record<string, unknown>) => void | typeof SKIP_CHILDREN): void {
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    if (visit(node as Record<string, unknown>) === SKIP_CHILDREN) return;
    Object.values(node).forEach(walk);
  };
  walk(root);
}

/**
 * Replaces references that point below a component's top-level properties (through `items`, or
 * into a nested object's properties) with a copy of their target: openapi-typescript turns them
 * into indexed-access types that do not compile (arrays, optional objects).
 */
export function inlineNestedRefs(document: OpenApiDocument): boolean {
  let changed = false;
  for (let pass = 0; pass < 8; pass++) {
    const holders: Record<string, unknown>[] = [];
    forEachObject(document, (holder) => {
      const ref = holder.$ref;
      if (typeof ref !== "string") return;
      // Segments after `#/components/<kind>/<name>` address the inside of a component.
      const inside = ref.split("/").slice(4);
      const nested = inside.includes("items") || inside.filter((segment) => segment === "properties").length > 1;
      if (ref.startsWith("#/components/") && nested) holders.push(holder);
    });
    if (holders.length === 0) break;
    for (const holder of holders) {
      const ref = holder.$ref as string;
      const target = lookupPointer(document, ref.slice(1));
      if (target === undefined) throw new Error(`unresolvable reference ${ref}`);
      const siblings = { ...holder };
      delete siblings.$ref;
      delete holder.$ref;
      Object.assign(holder, structuredClone(target), siblings);
      changed = true;
    }
  }
  return changed;
}

/** Removes a schema's `oneOf` (used where the alternatives are the schema's own properties). */
export function removeOneOf(schemaName: string) {
  return (document: OpenApiDocument): boolean => {
    const schema = (document.components?.schemas as Record<string, SchemaObject> | undefined)?.[schemaName];
    if (!schema) throw new Error(`no schema ${schemaName}`);
    if (!schema.oneOf) return false;
    delete schema.oneOf;
    return true;
  };
}

/**
 * In schemas that combine `allOf` with `required`, replaces referenced members typed `null`-able
 * by a copy without `null`: openapi-typescript cannot apply `required` to a nullable member.
 */
export function inlineNullableAllOfMembers(document: OpenApiDocument): boolean {
  let changed = false;
  forEachObject(document, (node) => {
    const schema = node as SchemaObject;
    if (Array.isArray(schema.allOf) && Array.isArray(schema.required)) {
      schema.allOf = schema.allOf.map((member) => {
        const target = resolveRef(document, member);
        if (!member.$ref || !Array.isArray(target?.type) || !target.type.includes("null")) return member;
        changed = true;
        const copy = structuredClone(target);
        copy.type = target.type.filter((t) => t !== "null");
        if (copy.type.length === 1) copy.type = copy.type[0]!;
        return copy;
      });
    }
  });
  return changed;
}

/**
 * Drops `$ref` members with a non-local target from example values, where they are data
 * (e.g. SCIM's member `$ref` URL) that mock servers would try to download as references.
 */
export function dropUrlRefsFromExamples(document: OpenApiDocument): boolean {
  let changed = false;
  const scrub = (example: unknown): void =>
    forEachObject(example, (record) => {
      if (typeof record.$ref === "string" && !record.$ref.startsWith("#")) {
        delete record.$ref;
        changed = true;
      }
    });
  // Descends by itself so that under `examples` only each example's value is scrubbed, not its other fields.
  const visit = (node: Record<string, unknown>): typeof SKIP_CHILDREN => {
    for (const [key, value] of Object.entries(node)) {
      if (key === "example") scrub(value);
      else if (key === "examples" && value && typeof value === "object") {
        for (const example of Object.values(value)) scrub((example as { value?: unknown } | null)?.value ?? example);
      } else forEachObject(value, visit);
    }
    return SKIP_CHILDREN;
  };
  forEachObject(document, visit);
  return changed;
}

/** Where a body lives: an operation's request body, or one of its responses by status. */
export interface BodyLocation {
  readonly method: HttpMethod;
  readonly path: string;
  /** Response status (`"200"`); omitted for the request body. */
  readonly status?: string;
  readonly mediaType: string;
}

/**
 * Replaces the schema of one request or response body. The upstream description stays
 * unless the replacement has its own.
 */
export function setBodySchema(at: BodyLocation, schema: SchemaObject) {
  return (document: OpenApiDocument): boolean => {
    const operation = operationAt(document, at.method, at.path);
    const holder = at.status === undefined ? operation.requestBody : operation.responses?.[at.status];
    const where = `${at.method.toUpperCase()} ${at.path} ${at.status === undefined ? "request" : at.status}`;
    const media = (resolveRef(document, holder) as { content?: Record<string, { schema?: SchemaObject }> } | undefined)?.content?.[at.mediaType];
    if (!media) throw new Error(`no ${at.mediaType} body at ${where}`);
    const description = media.schema?.description;
    const replacement: SchemaObject = description === undefined ? structuredClone(schema) : { description, ...structuredClone(schema) };
    if (JSON.stringify(media.schema) === JSON.stringify(replacement)) return false;
    media.schema = replacement;
    return true;
  };
}

/** True when `schema` (after `$ref`s) certainly accepts the empty object `{}`. */
function acceptsEmptyObject(document: OpenApiDocument, schema: SchemaObject): boolean {
  const target = resolveRef(document, schema);
  if (!target || typeof target !== "object") return false;
  const types = target.type === undefined ? undefined : [target.type].flat();
  if (types !== undefined && !types.includes("object")) return false;
  // Anything that could reject `{}` in a way not judged here counts as telling it apart.
  const constraining = ["required", "minProperties", "enum", "const", "allOf", "oneOf", "anyOf", "not", "if", "$ref"];
  return constraining.every((key) => key === "required" ? (target.required ?? []).length === 0 : !(key in target));
}

/**
 * Turns into `anyOf` every `oneOf` without a discriminator in which two or more alternatives
 * accept `{}`: such alternatives cannot be told apart, so `oneOf` rejects every value that
 * fits them. Both keywords type as the same union.
 */
export function anyOfForIndistinguishableOneOf(document: OpenApiDocument): boolean {
  let changed = false;
  forEachObject(document, (node) => {
    const schema = node as SchemaObject;
    if (Array.isArray(schema.oneOf) && !("discriminator" in schema) && !("anyOf" in schema)) {
      const overlapping = schema.oneOf.filter((alternative) => acceptsEmptyObject(document, alternative)).length >= 2;
      if (overlapping) {
        schema.anyOf = schema.oneOf;
        delete schema.oneOf;
        changed = true;
      }
    }
  });
  return changed;
}

/**
 * Drops a schema's `type` when none of its `oneOf`/`anyOf` alternatives allows that type:
 * together they admit no value at all, and the alternatives are the ones that say what is meant.
 */
export function dropTypeContradictingAlternatives(document: OpenApiDocument): boolean {
  let changed = false;
  const typesOf = (schema: SchemaObject | undefined): string[] | undefined => (schema?.type === undefined ? undefined : [schema.type].flat());
  forEachObject(document, (node) => {
    const schema = node as SchemaObject;
    const own = typesOf(schema);
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (own && Array.isArray(alternatives) && alternatives.length > 0) {
      const theirs = alternatives.map((alternative) => typesOf(resolveRef(document, alternative)));
      // An untyped alternative may allow anything, so only fully typed alternatives are judged.
      const contradicts = theirs.every((types) => types !== undefined && !types.some((t) => own.includes(t) || (t === "integer" && own.includes("number"))));
      if (contradicts) {
        delete schema.type;
        changed = true;
      }
    }
  });
  return changed;
}

/** Property names a schema defines itself, through its `allOf` members, or through `$ref`s to such. */
function definedProperties(document: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): string[] {
  const target = resolveRef(document, schema);
  if (!target || typeof target !== "object" || depth > 8) return [];
  return [...Object.keys(target.properties ?? {}), ...(target.allOf ?? []).flatMap((member) => definedProperties(document, member, depth + 1))];
}

/**
 * For every schema that is an `allOf`/`oneOf`/`anyOf` member, the property names defined around
 * it: by its parent and, within `allOf`, by its siblings. A `required` name may live there.
 */
function propertiesAroundMembers(document: OpenApiDocument): Map<object, Set<string>> {
  const around = new Map<object, Set<string>>();
  forEachObject(document, (node) => {
    const schema = node as SchemaObject;
    for (const keyword of ["allOf", "oneOf", "anyOf"] as const) {
      const members = schema[keyword];
      if (!Array.isArray(members)) continue;
      const fromParent = Object.keys(schema.properties ?? {});
      for (const member of members) {
        const target = resolveRef(document, member);
        if (!target || typeof target !== "object") continue;
        const siblings = keyword === "allOf" ? members.filter((m) => m !== member).flatMap((m) => definedProperties(document, m)) : [];
        const names = around.get(target) ?? new Set<string>();
        for (const name of [...fromParent, ...siblings]) names.add(name);
        around.set(target, names);
      }
    }
  });
  return around;
}

/**
 * Reconciles `required` with the properties a schema defines: a name differing from a defined
 * property only in letter case becomes that property; a name defined nowhere (not in the schema,
 * its `allOf`, its parent or its `allOf` siblings) is dropped, as no described value carries it.
 * Schemas admitting undeclared properties through a schema (`additionalProperties`,
 * `patternProperties`) are left alone.
 */
export function requireOnlyDefinedProperties(document: OpenApiDocument): boolean {
  const around = propertiesAroundMembers(document);
  let changed = false;
  forEachObject(document, (node) => {
    const schema = node as SchemaObject;
    const open = (typeof schema.additionalProperties === "object" && schema.additionalProperties !== null) || "patternProperties" in schema;
    if (Array.isArray(schema.required) && schema.properties && typeof schema.properties === "object" && !open && !schema.oneOf && !schema.anyOf) {
      const defined = new Set([...definedProperties(document, schema), ...(around.get(schema) ?? [])]);
      const required: string[] = [];
      for (const name of schema.required) {
        if (defined.has(name)) required.push(name);
        else {
          const sameButCase = [...defined].filter((d) => d.toLowerCase() === name.toLowerCase());
          if (sameButCase.length === 1 && !schema.required.includes(sameButCase[0]!)) required.push(sameButCase[0]!);
        }
      }
      if (required.length !== schema.required.length || required.some((name, i) => name !== schema.required![i])) {
        schema.required = required;
        changed = true;
      }
    }
  });
  return changed;
}

/**
 * Declares response `Location` headers typed `format: uri` (or the non-standard `url`) as
 * `uri-reference`: HTTP allows a relative reference there (RFC 9110, 10.2.2), and the
 * documents' own examples are relative paths.
 */
export function allowRelativeLocationHeaders(document: OpenApiDocument): boolean {
  let changed = false;
  forEachObject(document, (node) => {
    const headers = node.headers;
    if (!headers || typeof headers !== "object") return;
    for (const [name, header] of Object.entries(headers)) {
      if (name.toLowerCase() !== "location") continue;
      const schema = resolveRef(document, (resolveRef(document, header) as { schema?: SchemaObject } | undefined)?.schema);
      if (schema && (schema.format === "uri" || schema.format === "url")) {
        schema.format = "uri-reference";
        changed = true;
      }
    }
  });
  return changed;
}

const IGNORED_HEADER_PARAMETERS = new Set(["accept", "content-type", "authorization"]);

/**
 * Removes header parameters named `Accept`, `Content-Type` or `Authorization` from path items
 * and operations: OpenAPI 3 says they SHALL be ignored (media types and security schemes
 * state them), yet typed as parameters they become arguments every caller must pass.
 */
export function removeIgnoredHeaderParameters(document: OpenApiDocument): boolean {
  let changed = false;
  const prune = (holder: { parameters?: unknown[] }): void => {
    if (!Array.isArray(holder.parameters)) return;
    const kept = holder.parameters.filter((raw) => {
      const parameter = resolveRef(document, raw as ParameterObject | undefined);
      return !(parameter?.in === "header" && typeof parameter.name === "string" && IGNORED_HEADER_PARAMETERS.has(parameter.name.toLowerCase()));
    });
    if (kept.length === holder.parameters.length) return;
    changed = true;
    if (kept.length > 0) holder.parameters = kept;
    else delete holder.parameters;
  };
  for (const pathItem of Object.values(document.paths ?? {})) prune(pathItem);
  for (const { operation } of listOperations(document)) prune(operation);
  return changed;
}

function queryParameter(document: OpenApiDocument, operation: OperationObject, name: string): ParameterObject {
  for (const entry of operation.parameters ?? []) {
    const parameter = resolveRef(document, entry as never) as ParameterObject | undefined;
    if (parameter?.in === "query" && parameter.name === name) return parameter;
  }
  throw new Error(`no query parameter ${name}`);
}

/**
 * An array query parameter sent as one comma-joined value (`id=a,b`), which also takes the
 * list already joined as one string (`select=id,serialNumber`), as HPE's own clients write it.
 */
export function acceptJoinedList(method: HttpMethod, paths: readonly string[], name: string) {
  return (document: OpenApiDocument): boolean => {
    let changed = false;
    for (const path of paths) {
      const parameter = queryParameter(document, operationAt(document, method, path), name);
      const schema = resolveRef(document, parameter.schema) as SchemaObject | undefined;
      if (schema === undefined || schema.items === undefined) throw new Error(`${method.toUpperCase()} ${path} query parameter ${name} is not an array`);
      const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? "array"];
      if (parameter.explode === false && parameter.style === "form" && types.includes("string")) continue;
      parameter.style = "form";
      parameter.explode = false;
      parameter.schema = { ...schema, type: [...new Set([...types, "string"])] } as SchemaObject;
      changed = true;
    }
    return changed;
  };
}

/** Tags as `{ "Country": "FR" }` (name to value) besides the declared `{ name: { key, value } }` form. */
export function acceptPlainTagValues(schemaNames: readonly string[]) {
  return (document: OpenApiDocument): boolean => {
    let changed = false;
    for (const name of schemaNames) {
      const tags = (document.components?.schemas?.[name] as SchemaObject | undefined)?.properties?.tags as SchemaObject | undefined;
      const value = tags?.additionalProperties as SchemaObject | undefined;
      if (tags === undefined || value === undefined || typeof value !== "object") throw new Error(`schema ${name} has no tags map`);
      if (Array.isArray(value.anyOf)) continue;
      tags.additionalProperties = { anyOf: [{ type: ["string", "null"], maxLength: 256 }, value] } as SchemaObject;
      changed = true;
    }
    return changed;
  };
}

/** Adds `value` to the enum of `schemaName`'s property `property`. */
export function addEnumValue(schemaName: string, property: string, value: string) {
  return (document: OpenApiDocument): boolean => {
    const schema = (document.components?.schemas?.[schemaName] as SchemaObject | undefined)?.properties?.[property] as SchemaObject | undefined;
    if (schema === undefined || !Array.isArray(schema.enum)) throw new Error(`schema ${schemaName} property ${property} has no enum`);
    if (schema.enum.includes(value)) return false;
    schema.enum = [...schema.enum, value];
    return true;
  };
}

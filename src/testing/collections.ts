/**
 * Which paths hold state: a collection `/x` (a list, or a create) paired with
 * its items `/x/{id}`, read from the operations and their schemas. Each model
 * knows its item schema and which item property the `{id}` segment names.
 */
import type { OperationMetadata, PaginationMetadata } from "../metadata.js";
import type { DocumentSchemas, Schema } from "./schemas.js";

export interface CollectionModel {
  /** Path template of the collection, e.g. `/identity/v1/users`. */
  readonly template: string;
  readonly document: string;
  /** The list operation's paging, when it pages. */
  readonly pagination: PaginationMetadata | undefined;
  readonly listed: boolean;
  /** Path template of one item, e.g. `/identity/v1/users/{id}`, when the document has one. */
  readonly itemTemplate: string | undefined;
  readonly itemSchema: Schema;
  /** Item property the item template's last segment names, e.g. `id` or `activationKey`. */
  readonly idField: string | undefined;
  /** The id property is an enum (a kind, not an instance), so ids may repeat. */
  readonly idEnumerated: boolean;
  readonly schemas: DocumentSchemas;
}

const camel = (s: string) => s.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function lastParam(template: string): string | undefined {
  return /\/\{([^}]+)\}$/.exec(template)?.[1];
}

function idFieldOf(schemas: DocumentSchemas, itemSchema: Schema, param: string | undefined): string | undefined {
  const props = schemas.flatten(itemSchema).properties as Record<string, unknown> | undefined;
  if (props === undefined) return undefined;
  const candidates = param === undefined ? ["id"] : [camel(param), param, "id", `${camel(param)}Id`];
  return candidates.find((c) => props[c] !== undefined);
}

function listItemSchema(schemas: DocumentSchemas, op: OperationMetadata): Schema | undefined {
  const response = schemas.operation("get", op.path)?.successSchema;
  if (response === undefined) return undefined;
  const field = op.pagination?.itemsField ?? "items";
  const array = schemas.property(response, field);
  if (array === undefined || array.items === undefined) return undefined;
  return schemas.flatten(array.items);
}

/** Collection models for `operations`, one per collection template. */
export function collectionModels(operations: readonly OperationMetadata[], schemasOf: (document: string) => DocumentSchemas | undefined): Map<string, CollectionModel> {
  const byPath = new Map<string, Map<string, OperationMetadata>>();
  for (const op of operations) {
    const methods = byPath.get(op.path) ?? new Map<string, OperationMetadata>();
    methods.set(op.method, op);
    byPath.set(op.path, methods);
  }
  const itemTemplates = new Map<string, string>();
  for (const path of byPath.keys()) {
    const parent = path.replace(/\/\{[^}/]+\}$/, "");
    if (parent !== path && byPath.has(parent)) itemTemplates.set(parent, path);
  }
  const models = new Map<string, CollectionModel>();
  for (const [path, methods] of byPath) {
    const list = methods.get("get");
    const create = methods.get("post");
    const itemTemplate = itemTemplates.get(path);
    const document = (list ?? create)?.document;
    if (document === undefined) continue;
    const schemas = schemasOf(document);
    if (schemas === undefined) continue;
    let itemSchema = list === undefined ? undefined : listItemSchema(schemas, list);
    const listed = itemSchema !== undefined;
    if (itemSchema === undefined && create !== undefined && itemTemplate !== undefined && byPath.get(itemTemplate)?.has("get")) {
      const read = schemas.operation("get", itemTemplate)?.successSchema;
      itemSchema = read === undefined ? undefined : schemas.flatten(read);
    }
    if (itemSchema === undefined) continue;
    const idField = itemTemplate === undefined ? idFieldOf(schemas, itemSchema, undefined) : idFieldOf(schemas, itemSchema, lastParam(itemTemplate));
    const idSchema = idField === undefined ? undefined : schemas.property(itemSchema, idField);
    const idEnumerated = Array.isArray(idSchema?.enum);
    models.set(path, { template: path, document, pagination: list?.pagination, listed, itemTemplate, itemSchema, idField, idEnumerated, schemas });
  }
  return models;
}

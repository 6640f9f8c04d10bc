/** Works out how a list operation pages, from its parameters and response schema. */
import type { PaginationMetadata, PaginationStyle } from "../metadata.js";
import { operationParameters, resolveRef, schemaProperties, schemaTypes, successResponseSchema, type OpenApiDocument, type OperationRef } from "./openapi.js";

/**
 * Set on an operation by a correction to state its paging: a partial override of what detection
 * finds (e.g. `{ "style": "offset-pages" }`), or `false` for an operation that does not page.
 */
export const PAGINATION_EXTENSION = "x-greenlake-pagination";

const PAGINATION_STYLES: readonly PaginationStyle[] = ["offset-items", "offset-pages", "cursor"];

export function paginationFor(document: OpenApiDocument, ref: OperationRef): PaginationMetadata | undefined {
  const override = ref.operation[PAGINATION_EXTENSION] as Partial<PaginationMetadata> | false | undefined;
  if (override === false) return undefined;
  const detected = detectPagination(document, ref);
  if (override === undefined) return detected;
  const merged = { ...detected, ...override } as Partial<PaginationMetadata>;
  return validated(merged, `${ref.method.toUpperCase()} ${ref.path}`);
}

export function detectPagination(document: OpenApiDocument, ref: OperationRef): PaginationMetadata | undefined {
  if (ref.method !== "get") return undefined;
  const query = new Map(operationParameters(document, ref).filter((p) => p.in === "query").map((p) => [p.name, p]));
  const limit = query.get("limit");
  if (!limit) return undefined;
  const properties = schemaProperties(document, successResponseSchema(document, ref.operation));
  const itemsField = findItemsField(document, properties);
  if (!itemsField) return undefined;

  const maximum = schemaMaximum(document, limit.schema);
  const common = { limitParam: "limit", itemsField, ...(maximum !== undefined ? { maxPageSize: maximum } : {}) };
  if (query.has("next") && "next" in properties) {
    return { style: "cursor", pageParam: "next", nextField: "next", ...common };
  }
  if (query.has("offset")) {
    return { style: "offset-items", pageParam: "offset", ...("total" in properties ? { totalField: "total" } : {}), ...common };
  }
  return undefined;
}

function findItemsField(document: OpenApiDocument, properties: Record<string, unknown>): string | undefined {
  const arrays = Object.keys(properties).filter((name) => schemaTypes(document, properties[name] as never).includes("array"));
  if (arrays.includes("items")) return "items";
  return arrays.length === 1 ? arrays[0] : undefined;
}

function schemaMaximum(document: OpenApiDocument, schema: unknown): number | undefined {
  const maximum = (resolveRef(document, schema) as { maximum?: unknown } | undefined)?.maximum;
  return typeof maximum === "number" && Number.isFinite(maximum) ? maximum : undefined;
}

function validated(value: Partial<PaginationMetadata>, where: string): PaginationMetadata {
  const { style, limitParam, pageParam, itemsField } = value;
  if (!style || !PAGINATION_STYLES.includes(style)) throw new Error(`${where}: ${PAGINATION_EXTENSION} has no valid style`);
  if (!limitParam || !pageParam || !itemsField) throw new Error(`${where}: ${PAGINATION_EXTENSION} needs limitParam, pageParam and itemsField`);
  return value as PaginationMetadata;
}

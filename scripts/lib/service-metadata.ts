/** Derives a service's runtime metadata (src/metadata.ts) from its corrected documents. */
import type { OperationMetadata, PaginationMetadata, ServiceMetadata } from "../../src/metadata.js";
import { HTTP_METHODS, listOperations, type OpenApiDocument } from "../../src/specs/openapi.js";
import { paginationFor } from "../../src/specs/pagination.js";
import { commaJoinedQueryParams } from "./query-styles.js";
import { requestMediaTypes } from "./request-media-types.js";
import { declaresIdempotencyKey, rateLimitsFor } from "./rate-limits.js";
import { REGION_EXTENSION } from "../../src/specs/regions.js";

export interface KeyedDocument {
  readonly key: string;
  readonly document: OpenApiDocument;
}

export function buildServiceMetadata(service: string, documents: readonly KeyedDocument[]): ServiceMetadata {
  const operations: OperationMetadata[] = [];
  const servers: Record<string, string> = {};
  for (const { key, document } of documents) {
    for (const server of document.servers ?? []) {
      const region = server[REGION_EXTENSION];
      if (typeof region !== "string") throw new Error(`${key}: server ${server.url} has no ${REGION_EXTENSION}`);
      const url = server.url.replace(/\/+$/, "");
      if (servers[region] !== undefined && servers[region] !== url) {
        throw new Error(`${service}: region ${region} has two base URLs (${servers[region]}, ${url})`);
      }
      servers[region] = url;
    }
    for (const ref of listOperations(document)) {
      // The runtime picks a base URL per service and region; a per-path host would be silently ignored.
      if (ref.pathItem.servers || ref.operation.servers) {
        throw new Error(`${key}: ${ref.method.toUpperCase()} ${ref.path} declares its own servers, which the metadata cannot express; add a correction`);
      }
      if (!ref.operation.operationId) throw new Error(`${key}: ${ref.method.toUpperCase()} ${ref.path} has no operationId`);
      const pagination = paginationFor(document, ref);
      const commaJoined = commaJoinedQueryParams(document, ref);
      const mediaTypes = requestMediaTypes(document, ref);
      const rateLimits = rateLimitsFor(service, ref).limits;
      operations.push({
        method: ref.method,
        path: ref.path,
        operationId: ref.operation.operationId,
        deprecated: ref.operation.deprecated === true,
        document: key,
        ...(pagination ? { pagination: normalizePagination(pagination) } : {}),
        ...(commaJoined.length > 0 ? { commaJoinedQuery: commaJoined } : {}),
        ...(mediaTypes.length > 0 ? { requestMediaTypes: mediaTypes } : {}),
        ...(rateLimits.length > 0 ? { rateLimits } : {}),
        ...(declaresIdempotencyKey(document, ref) ? { idempotencyKey: true as const } : {}),
      });
    }
  }
  if (Object.keys(servers).length === 0) throw new Error(`${service}: no servers`);
  operations.sort(compareOperations);
  const duplicate = operations.find((op, i) => i > 0 && compareOperations(op, operations[i - 1]!) === 0);
  if (duplicate) throw new Error(`${service}: ${duplicate.method.toUpperCase()} ${duplicate.path} is defined by two documents`);
  return {
    service,
    documents: documents.map((d) => d.key),
    servers: Object.fromEntries(Object.entries(servers).sort(([a], [b]) => compareRegions(a, b))),
    operations,
  };
}

function compareOperations(a: OperationMetadata, b: OperationMetadata): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return HTTP_METHODS.indexOf(a.method) - HTTP_METHODS.indexOf(b.method);
}

const REGION_ORDER = ["global", "us-west", "eu-west", "eu-central", "ap-northeast"];

function compareRegions(a: string, b: string): number {
  const rank = (r: string) => (REGION_ORDER.includes(r) ? REGION_ORDER.indexOf(r) : REGION_ORDER.length);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Fixed key order, so the emitted module does not depend on how the object was built. */
function normalizePagination(p: PaginationMetadata): PaginationMetadata {
  return {
    style: p.style,
    limitParam: p.limitParam,
    pageParam: p.pageParam,
    ...(p.maxPageSize !== undefined ? { maxPageSize: p.maxPageSize } : {}),
    itemsField: p.itemsField,
    ...(p.totalField !== undefined ? { totalField: p.totalField } : {}),
    ...(p.nextField !== undefined ? { nextField: p.nextField } : {}),
  };
}

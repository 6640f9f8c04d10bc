/**
 * Shapes of the runtime metadata that `npm run generate` derives from HPE's
 * OpenAPI documents (one module per service under `generated/services/`).
 */

import { decodeOperations } from "./internal/operations-codec.js";

export type HttpMethod = "get" | "put" | "post" | "delete" | "patch" | "head" | "options";

/**
 * How a list operation pages:
 * - `offset-items`: `offset` counts items; the response carries `total` (and usually `count`).
 * - `offset-pages`: `offset` counts pages of `limit` items.
 * - `cursor`: the response carries a `next` cursor passed back as the `next` query parameter.
 */
export type PaginationStyle = "offset-items" | "offset-pages" | "cursor";

export interface PaginationMetadata {
  readonly style: PaginationStyle;
  /** Name of the page-size query parameter (usually `limit`). */
  readonly limitParam: string;
  /** `offset` for the offset styles, `next` for cursor. */
  readonly pageParam: string;
  /** Largest page size the operation accepts (from the `limit` schema's `maximum`), if stated. */
  readonly maxPageSize?: number;
  /** Property of the response body that holds the page's items (usually `items`). */
  readonly itemsField: string;
  /** Property holding the total item count (offset styles), when the response has one. */
  readonly totalField?: string;
  /** Property holding the next cursor (cursor style). */
  readonly nextField?: string;
}

/** Who shares a stated rate limit: the API client, the workspace, or every caller of the operation. */
export type RateLimitScope = "api-client" | "workspace" | "operation";

/** A rate limit an HPE document or guide states for an operation. */
export interface RateLimitMetadata {
  readonly requests: number;
  readonly windowSeconds: number;
  readonly scope: RateLimitScope;
  /** Operations with the same group share one budget; default: the operation itself (`METHOD /path`). */
  readonly group?: string;
  /** Where the number comes from: the operation's description, or the project's overlay (with its reason). */
  readonly source: string;
}

export interface OperationMetadata {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  readonly deprecated: boolean;
  /** Document key (see `specs/sources.json`) the operation comes from. */
  readonly document: string;
  /** How the operation pages; absent when it returns everything at once (or is not a list). */
  readonly pagination?: PaginationMetadata;
  /**
   * Array query parameters sent as one comma-separated value (`select=a,b`,
   * `style: form, explode: false`) instead of repeated; absent when there are none.
   */
  readonly commaJoinedQuery?: readonly string[];
  /**
   * Media types the request body may be sent as, in document order
   * (`application/merge-patch+json`, `multipart/form-data`, ...); absent when
   * the operation takes no body.
   */
  readonly requestMediaTypes?: readonly string[];
  /** Rate limits stated for the operation; absent when none is known. */
  readonly rateLimits?: readonly RateLimitMetadata[];
  /** The operation declares an `Idempotency-Key` header: the runtime sends one key per call, reused on every attempt. */
  readonly idempotencyKey?: true;
}

export interface ServiceMetadata {
  /** Service key, e.g. `compute-ops-mgmt`. */
  readonly service: string;
  /** Document keys merged into this service. */
  readonly documents: readonly string[];
  /** Region name -> base URL. A global service has the single region `global`. */
  readonly servers: Readonly<Record<string, string>>;
  readonly operations: readonly OperationMetadata[];
}

/**
 * A service's metadata whose operations are read from their compact text
 * (src/internal/operations-codec.ts) when first read: servers and documents are
 * at hand at once, the operations (most of the size) cost nothing until the
 * service is used. `T` is the module's literal type, checked against ServiceMetadata.
 * @internal
 */
export function withLazyOperations<T extends ServiceMetadata>(head: Omit<T, "operations">, operationsText: string): T {
  let operations: T["operations"] | undefined;
  return {
    ...head,
    get operations(): T["operations"] {
      return (operations ??= decodeOperations(operationsText) as unknown as T["operations"]);
    },
  } as T;
}

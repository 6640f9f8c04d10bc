/**
 * Rate limits HPE states outside the OpenAPI documents (in its guides), in
 * the project's own words. The generator adds them to the operations they
 * match; a limit the documents themselves state is read from there instead.
 */
import type { HttpMethod, RateLimitScope } from "../../src/metadata.js";

export interface RateLimitOverlayEntry {
  /** Service key from specs/sources.json. */
  readonly service: string;
  /** Only operations under this path (all of the service's when absent). */
  readonly pathPrefix?: string;
  readonly methods?: readonly HttpMethod[];
  readonly requests: number;
  readonly windowSeconds: number;
  readonly scope: RateLimitScope;
  /** Operations sharing one budget; default: each operation its own. */
  readonly group?: string;
  /** Why the number holds and where it is stated, in a line. */
  readonly reason: string;
}

export const RATE_LIMIT_OVERLAY: readonly RateLimitOverlayEntry[] = [
  {
    service: "authorization",
    requests: 1000,
    windowSeconds: 60,
    scope: "api-client",
    group: "authorization",
    reason: "the authorization service's guide gives one limit of 1000 calls a minute for its whole API, per API client",
  },
];

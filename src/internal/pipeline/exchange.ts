/**
 * What every step of a call's pipeline sees: one value per logical call,
 * written by the steps above and read by the steps below. A step is
 * `(exchange, next) => response`; the list of steps is in pipeline.ts.
 */
import type { Dispatcher } from "undici";
import type { AttemptDeadline } from "../timeouts.js";

/** What one call asked for besides the request itself (the per-call options). */
export interface CallContext {
  /** Region of this call only. */
  readonly region?: string | undefined;
  /** `Tenant-Acid` header of this call only. */
  readonly tenantAcid?: string | undefined;
  /** Time limit of this call's attempts; the client's otherwise. */
  readonly timeoutMs?: number | undefined;
  /** The caller's signal: ends the call, its retries and its waits. */
  readonly signal?: AbortSignal | undefined;
  /** RequestInit keys a Request does not keep (undici's `dispatcher`), given to fetch on every attempt. */
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
}

export interface Exchange {
  readonly method: string;
  /** Absolute URL (openapi-fetch built it on the call's origin). */
  readonly url: string;
  /** The path without query, as messages name the call. */
  readonly path: string;
  /** The request openapi-fetch built: its RequestInit options go to a user's fetch. */
  readonly request: Request;
  readonly call: CallContext;
  /** The caller's signal, if any. */
  readonly signal: AbortSignal | undefined;
  /** Sent on every attempt; steps add to it (tenant, idempotency key, token). */
  readonly headers: Headers;
  /** The body as bytes, read once so every attempt re-sends the same bytes. */
  body: Uint8Array | null;
  /** The call carries an `Idempotency-Key`: it may be retried as PUT is. */
  idempotencyKey: boolean;
  /** The undici dispatcher the call goes through (a per-call one, or the client's proxy). */
  dispatcher: Dispatcher | undefined;
  /** Attempt number, 1-based; a 401 replay keeps the number of the attempt it replays. */
  attempt: number;
  /** This attempt's time limit, joined with the caller's signal; set by the deadline step. */
  deadline: AttemptDeadline | undefined;
  /** Whether this attempt's answer arrived and its body is being read (a failure then is a lost body, not a lost request). */
  receiving: boolean;
  /** Whether the caller set `Authorization` itself (then no token and no 401 replay); set by the auth step. */
  callerAuthorization: boolean | undefined;
  /** Whether this call was already replayed once after a 401. */
  replayedUnauthorized: boolean;
}

export type Next = (exchange: Exchange) => Promise<Response>;
export type Step = (exchange: Exchange, next: Next) => Promise<Response>;

/**
 * An attempt that got no (whole) answer: the typed error to show, and what
 * went wrong underneath (which the retry step reads to decide). Only the
 * retry step catches it; it never leaves the pipeline.
 */
export class AttemptFailure extends Error {
  constructor(
    readonly failure: Error,
    readonly underlying: unknown,
  ) {
    super(failure.message);
  }
}

/**
 * The retry policy, whole: which failures are tried again and after how
 * long, for API calls, token requests and async-operation polling alike.
 * 429 and 503 mean the server did not act on the call, so every method is
 * retried; 408, 500, 502, 504 and lost connections are ambiguous, so only
 * idempotent methods are. `retry: false` means one attempt everywhere.
 */
import { causeCode } from "./causes.js";
// setTimeout fires at once past this, which would turn an absurd wait into a tight loop.
import { MAX_TIMER_MS } from "./timeouts.js";

export interface RetryOptions {
  /** Total attempts including the first; default 4. */
  maxAttempts?: number;
  /** First backoff ceiling; each retry doubles it (full jitter). Default 500 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 20 s. */
  maxDelayMs?: number;
  /** Longest wait honoured from `Retry-After` or `retryAfterSeconds`; a longer ask waits this long. Default 60 s. */
  maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

/** Token requests stop earlier than API calls: a rejected or unreachable issuer rarely recovers within seconds. */
const MAX_TOKEN_ATTEMPTS = 3;
/** Async-operation polling never asks more often than this, whatever the server suggests. Default 1 s. */
export const MIN_POLL_INTERVAL_MS = 1000;

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

// Codes that prove the request never reached a server, so replaying cannot duplicate it.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);


/** What a call is, as far as retrying goes. */
export interface CallKind {
  readonly method: string;
  /** The call carries an `Idempotency-Key`: the server applies it once however often it arrives. */
  readonly idempotencyKey?: boolean;
}

function idempotent(call: CallKind): boolean {
  return call.idempotencyKey === true || IDEMPOTENT_METHODS.has(call.method);
}

export function isRetryableStatus(call: CallKind, status: number): boolean {
  if (status === 429 || status === 503) return true;
  if (status === 408 || status === 500 || status === 502 || status === 504) return idempotent(call);
  return false;
}

/** A call that got no (whole) response: retry idempotent calls, others only when nothing was sent. */
export function isRetryableFailure(call: CallKind, error: unknown): boolean {
  if (idempotent(call)) return true;
  const code = causeCode(error);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(retry-1))]. */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

const HTTP_DATE = /^[A-Za-z]{3},? /;

/**
 * `Retry-After` as delta-seconds or an HTTP date, in milliseconds from `now`;
 * `undefined` for anything else (negative, malformed), which means normal backoff.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}(\.\d+)?$/.test(trimmed)) return Math.round(Number.parseFloat(trimmed) * 1000);
  if (!HTTP_DATE.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export const RETRY_INFO_TYPE = "hpe.greenlake.retry_info";

/** `errorDetails[].retryAfterSeconds` from a GreenLake error body, in milliseconds. */
export function retryInfoDelay(body: unknown): number | undefined {
  const details = (body as { errorDetails?: unknown } | null)?.errorDetails;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const s = detail?.retryAfterSeconds;
    if (detail?.type === RETRY_INFO_TYPE && typeof s === "number" && Number.isFinite(s) && s >= 0) return s * 1000;
  }
  return undefined;
}

/** The wait a response asked for, from `Retry-After` or else its GreenLake error body; `undefined` when it did not say. */
export async function serverRequestedDelay(response: Response): Promise<number | undefined> {
  const fromHeader = parseRetryAfter(response.headers.get("retry-after"));
  if (fromHeader !== undefined) return fromHeader;
  if (!(response.headers.get("content-type") ?? "").includes("json")) return undefined;
  try {
    return retryInfoDelay(await response.clone().json());
  } catch {
    return undefined;
  }
}

/** The policy a client was configured with. */
export class RetryPolicy {
  readonly maxAttempts: number;
  readonly #options: Required<RetryOptions> | false;

  constructor(options: Required<RetryOptions> | false) {
    this.#options = options;
    this.maxAttempts = options === false ? 1 : options.maxAttempts;
  }

  /** The longest server-requested wait honoured; undefined when retries are off. */
  get maxRetryAfterMs(): number | undefined {
    return this.#options === false ? undefined : this.#options.maxRetryAfterMs;
  }

  /** Attempts of one token request. */
  get tokenAttempts(): number {
    return Math.min(MAX_TOKEN_ATTEMPTS, this.maxAttempts);
  }

  /** A 401 from an API is replayed once with a new token, unless retries are off. */
  get replaysUnauthorized(): boolean {
    return this.#options !== false;
  }

  #wait(attempt: number, requestedMs: number | undefined): number {
    const o = this.#options as Required<RetryOptions>;
    // A zero or past Retry-After would retry at once, as often as allowed: back off instead.
    if (requestedMs !== undefined && requestedMs > 0) return Math.min(requestedMs, o.maxRetryAfterMs);
    return backoffDelay(attempt, o.baseDelayMs, o.maxDelayMs);
  }

  /** Delay before trying `call` again after attempt `attempt` answered `status`; `undefined`: do not. */
  afterStatus(call: CallKind, status: number, attempt: number, requestedMs?: number): number | undefined {
    if (attempt >= this.maxAttempts || !isRetryableStatus(call, status)) return undefined;
    return this.#wait(attempt, requestedMs);
  }

  /** Delay before trying `call` again after attempt `attempt` got no whole response; `undefined`: do not. */
  afterFailure(call: CallKind, error: unknown, attempt: number): number | undefined {
    if (attempt >= this.maxAttempts || !isRetryableFailure(call, error)) return undefined;
    return this.#wait(attempt, undefined);
  }

  /** Delay before another token request after attempt `attempt` failed with `status` (undefined: no answer). */
  afterTokenFailure(status: number | undefined, attempt: number, requestedMs?: number): number | undefined {
    if (attempt >= this.tokenAttempts) return undefined;
    // Issuer overload or outage is worth another try; a rejection of the credentials is not.
    if (status !== undefined && status !== 429 && status < 500) return undefined;
    return this.#options === false ? undefined : this.#wait(attempt, requestedMs);
  }
}

export interface PollIntervals {
  /** Interval when the server suggests none; default 5 s. */
  readonly fallbackMs?: number | undefined;
  /** Upper bound on any interval; default 60 s. */
  readonly maxMs?: number | undefined;
  /** Lower bound on any interval; default 1 s. */
  readonly minMs?: number | undefined;
}

/**
 * How long to wait before polling an async operation or job again, from what the server asked for (its
 * suggested interval or `Retry-After`, if anything): never below `minMs`, never above `maxMs`; an ask of zero,
 * a negative one or NaN means the fallback interval.
 */
export function pollDelay(suggestedMs: number | undefined, intervals: PollIntervals = {}): number {
  // A bound of NaN (`Number(process.env.X)` of an unset variable) is no bound: a timer takes NaN as no wait at all.
  const given = (value: number | undefined, otherwise: number) => (value === undefined || Number.isNaN(value) ? otherwise : value);
  const min = given(intervals.minMs, MIN_POLL_INTERVAL_MS);
  const max = Math.min(MAX_TIMER_MS, Math.max(min, given(intervals.maxMs, 60_000)));
  const wanted = suggestedMs !== undefined && suggestedMs > 0 ? suggestedMs : given(intervals.fallbackMs, 5000);
  return Math.min(max, Math.max(min, wanted));
}

/**
 * Which failures are retried and how long to wait. 429 and 503 mean the
 * server did not process the call, so every method is retried; 408, 500,
 * 502, 504 and lost connections are ambiguous, so only idempotent methods are.
 */

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/** `idempotent`: the call carries an Idempotency-Key, so a replay is applied once, as for PUT. */
export function isRetryableStatus(method: string, status: number, idempotent = false): boolean {
  if (status === 429 || status === 503) return true;
  if (status === 408 || status === 500 || status === 502 || status === 504) return idempotent || IDEMPOTENT_METHODS.has(method);
  return false;
}

// Codes that prove the request never reached a server, so replaying cannot duplicate it.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/** A fetch that threw (no response): retry idempotent methods, others only when nothing was sent. */
export function isRetryableFailure(method: string, error: unknown, idempotent = false): boolean {
  if (idempotent || IDEMPOTENT_METHODS.has(method)) return true;
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === "string" && NOT_SENT_CODES.has(code);
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(retry-1))]. */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number.parseFloat(trimmed) * 1000);
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
    if (detail?.type === RETRY_INFO_TYPE && typeof detail.retryAfterSeconds === "number" && detail.retryAfterSeconds >= 0) {
      return detail.retryAfterSeconds * 1000;
    }
  }
  return undefined;
}

/** The wait the server asked for, from the header or else the error body; `undefined` when it did not say. */
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

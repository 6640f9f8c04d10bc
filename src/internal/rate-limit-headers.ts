/**
 * The server's rate-limit headers (`ratelimit-*`, `X-RateLimit-*`), read in
 * one place for pacing and for `rateLimitOf`.
 */

// A server's reset beyond this is treated as this: a bad header must not stall a client for a day.
const MAX_RESET_MS = 3_600_000;

/** `ratelimit-*` or `X-RateLimit-*`: limit, remaining, and the reset as an absolute time. */
export interface ServerRateLimit {
  readonly limit?: number;
  readonly remaining?: number;
  readonly resetAt?: number;
}

// Both spellings of each header, named once rather than built on every answer.
const NAMES: Readonly<Record<string, readonly [string, string]>> = {
  limit: ["ratelimit-limit", "x-ratelimit-limit"],
  remaining: ["ratelimit-remaining", "x-ratelimit-remaining"],
  reset: ["ratelimit-reset", "x-ratelimit-reset"],
};

export function headerNumber(headers: Headers, name: string): number | undefined {
  const [standard, legacy] = NAMES[name] ?? [`ratelimit-${name}`, `x-ratelimit-${name}`];
  const value = headers.get(standard) ?? headers.get(legacy);
  if (value === null) return undefined;
  // The IETF draft allows `100, 100;w=60`: the first number is the one in force.
  const match = /^\s*(\d+(?:\.\d+)?)/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Reads the server's rate-limit headers; reset may be seconds from now, epoch seconds, or an HTTP date. */
export function readServerRateLimit(headers: Headers, now: number): ServerRateLimit | undefined {
  const limit = headerNumber(headers, "limit");
  const remaining = headerNumber(headers, "remaining");
  let resetAt: number | undefined;
  const rawReset = headers.get("ratelimit-reset") ?? headers.get("x-ratelimit-reset");
  if (rawReset !== null) {
    const seconds = headerNumber(headers, "reset");
    if (seconds !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(rawReset)) resetAt = seconds > 1e9 ? seconds * 1000 : now + seconds * 1000;
    else {
      const date = Date.parse(rawReset);
      if (!Number.isNaN(date)) resetAt = date;
    }
    if (resetAt !== undefined) resetAt = Math.min(Math.max(resetAt, now), now + MAX_RESET_MS);
  }
  if (limit === undefined && remaining === undefined) return undefined;
  return {
    ...(limit !== undefined && limit >= 1 ? { limit: Math.floor(limit) } : {}),
    ...(remaining !== undefined ? { remaining: Math.floor(remaining) } : {}),
    ...(resetAt !== undefined ? { resetAt } : {}),
  };
}


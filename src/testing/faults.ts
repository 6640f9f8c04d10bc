/**
 * Misbehaviour on cue: a test scripts what the next calls (of one operation,
 * or any) meet — 429 with Retry-After or retryAfterSeconds, 503, a reset
 * connection before or after the call was processed, a slow or stalled body,
 * an expired or revoked token — and can switch on the rate limits the
 * documents state.
 */

export type Fault =
  /** Answer 429; `retryAfterSeconds` goes in the `Retry-After` header, or in the body with `retryAfterIn: "body"`. */
  | { readonly kind: "429"; readonly retryAfterSeconds?: number; readonly retryAfterIn?: "header" | "body" }
  /** Answer 503 Service Unavailable (optionally with Retry-After). */
  | { readonly kind: "503"; readonly retryAfterSeconds?: number }
  /** Drop the connection; "before" the call changed anything, or "after" it did (the change stays). */
  | { readonly kind: "reset"; readonly when: "before" | "after" }
  /** Send the headers, then the body after `delayMs`. */
  | { readonly kind: "slow"; readonly delayMs: number }
  /** Send the headers and never the body, until the client gives up. */
  | { readonly kind: "stall" }
  /** The caller's token expires (or every token is revoked) just before the call is checked. */
  | { readonly kind: "expire-token" }
  | { readonly kind: "revoke-tokens" };

export interface FaultRule {
  /** `"GET /compute-ops-mgmt/v1/servers"` (method and path template), or a path template for any method; default every operation. */
  readonly operation?: string;
  /** How many matching calls meet the fault; default 1. `Infinity` keeps it until cleared. */
  readonly times?: number;
  readonly fault: Fault;
}

export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

interface ActiveRule {
  readonly operation: string | undefined;
  remaining: number;
  readonly fault: Fault;
}

/** The rate limit a document's description states for an operation, e.g. "90 requests per minute". */
export function statedRateLimit(description: string | undefined): RateLimit | undefined {
  const match = /(\d+)\s+requests?\s+per\s+(second|minute|hour)/i.exec(description ?? "");
  if (!match) return undefined;
  const unit = match[2]!.toLowerCase();
  return { limit: Number(match[1]), windowMs: unit === "second" ? 1000 : unit === "minute" ? 60_000 : 3_600_000 };
}

export class Faults {
  #rules: ActiveRule[] = [];
  #rateLimits = new Map<string, RateLimit>();
  #documented = false;
  #windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly documentedLimit: (operation: string) => RateLimit | undefined = () => undefined) {}

  /** Scripts a fault; returns the rule's handle for `remove`. */
  add(rule: FaultRule): this {
    const times = rule.times ?? 1;
    if (!(times > 0)) throw new TypeError("A fault's `times` must be a positive number (or Infinity).");
    this.#rules.push({ operation: rule.operation, remaining: times, fault: rule.fault });
    return this;
  }

  /** Shorthand: the next `times` calls of `operation` (or any) answer 429. */
  tooManyRequests(options: { operation?: string; times?: number; retryAfterSeconds?: number; retryAfterIn?: "header" | "body" } = {}): this {
    const { operation, times, ...fault } = options;
    return this.add({ ...(operation === undefined ? {} : { operation }), ...(times === undefined ? {} : { times }), fault: { kind: "429", ...fault } });
  }

  /** Enforces `limit` calls per `windowMs` on `operation` (or every operation), with `ratelimit-*` headers. */
  rateLimit(limit: RateLimit & { operation?: string }): this {
    this.#rateLimits.set(limit.operation ?? "*", { limit: limit.limit, windowMs: limit.windowMs });
    return this;
  }

  /** Enforces the rate limits the documents state in their descriptions ("90 requests per minute"). */
  documentedRateLimits(on = true): this {
    this.#documented = on;
    return this;
  }

  clear(): void {
    this.#rules = [];
    this.#rateLimits.clear();
    this.#windows.clear();
    this.#documented = false;
  }

  /** Scripted faults still waiting for a call. */
  get pending(): ReadonlyArray<{ operation: string | undefined; remaining: number; fault: Fault }> {
    return this.#rules.map((r) => ({ ...r }));
  }

  /** The fault the call `method template` meets, if any; counts it. */
  take(method: string, template: string): Fault | undefined {
    const rule = this.#rules.find((r) => r.remaining > 0 && matchesOperation(r.operation, method, template));
    if (rule === undefined) return undefined;
    rule.remaining--;
    this.#rules = this.#rules.filter((r) => r.remaining > 0);
    return rule.fault;
  }

  /** Counts the call against its rate limit: headers to send, and whether it is over. */
  meter(method: string, template: string, now: number): { headers: Record<string, string>; limited: boolean; resetSeconds: number } | undefined {
    const key = `${method.toUpperCase()} ${template}`;
    const limit =
      this.#rateLimits.get(key) ?? this.#rateLimits.get(template) ?? (this.#documented ? this.documentedLimit(key) : undefined) ?? this.#rateLimits.get("*");
    if (limit === undefined) return undefined;
    const windowKey = this.#rateLimits.has(key) || this.#rateLimits.has(template) || this.#documented ? key : "*";
    let window = this.#windows.get(windowKey);
    if (window === undefined || now - window.start >= limit.windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(windowKey, window);
    }
    window.count++;
    const resetSeconds = Math.max(1, Math.ceil((window.start + limit.windowMs - now) / 1000));
    const remaining = Math.max(0, limit.limit - window.count);
    return {
      limited: window.count > limit.limit,
      resetSeconds,
      headers: { "ratelimit-limit": String(limit.limit), "ratelimit-remaining": String(remaining), "ratelimit-reset": String(resetSeconds) },
    };
  }
}

function matchesOperation(operation: string | undefined, method: string, template: string): boolean {
  if (operation === undefined) return true;
  const space = operation.indexOf(" ");
  if (space < 0) return operation === template;
  return operation.slice(0, space).toUpperCase() === method.toUpperCase() && operation.slice(space + 1) === template;
}

/** The `rateLimit: { requestsPerMinute }` ceiling: one evenly spaced budget for every call of a client (see pacing.ts). */
import { Budget } from "./pacing.js";
import { sleep } from "./timeouts.js";

/** Spaces request starts evenly, so a long job never exceeds `requestsPerMinute` in any window. */
export class RateLimiter {
  readonly #budget: Budget;

  constructor(requestsPerMinute: number) {
    this.#budget = new Budget("rateLimit", "client (rateLimit.requestsPerMinute)", "api-client", "rateLimit", requestsPerMinute, 60_000, 0);
  }

  /** Resolves when the next request may start; `undefined` when it may start now (no wait allocated). */
  acquire(signal?: AbortSignal | null): Promise<void> | undefined {
    const now = Date.now();
    const start = this.#budget.reserve(now);
    return start > now ? sleep(start - now, signal) : undefined;
  }
}

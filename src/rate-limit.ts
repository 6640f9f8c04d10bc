/** Optional client-side request pacing for bulk jobs (GreenLake limits are per API client, per minute). */
import { sleep } from "./timeouts.js";

/** Spaces request starts evenly, so a long job never exceeds `requestsPerMinute` in any window. */
export class RateLimiter {
  readonly #intervalMs: number;
  #nextSlot = 0;

  constructor(requestsPerMinute: number) {
    this.#intervalMs = 60_000 / requestsPerMinute;
  }

  /** Resolves when the next request may start; `undefined` when it may start now (no wait allocated). */
  acquire(signal?: AbortSignal | null): Promise<void> | undefined {
    const now = Date.now();
    const slot = this.#nextSlot > now ? this.#nextSlot : now;
    this.#nextSlot = slot + this.#intervalMs;
    return slot > now ? sleep(slot - now, signal) : undefined;
  }
}

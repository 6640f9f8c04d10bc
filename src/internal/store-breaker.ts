/**
 * A circuit breaker for the shared store: after a failure no command goes to
 * the store until a back-off has passed; then one command probes it. A failed
 * probe doubles the back-off (up to a ceiling), a good one closes the breaker.
 * Each outage is counted once, however many calls meet it.
 */

/** Time as the store sees it: real by default, controllable in tests. */
export interface StoreClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * Waits about `ms` while a store command is outstanding; resolves to the time to count against the call's
   * allowance: at most twice `ms`, so a tick that fired late because the machine was busy is not all counted.
   */
  tick(ms: number): Promise<number>;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export const realClock: StoreClock = {
  now: () => Date.now(),
  sleep: pause,
  async tick(ms) {
    const started = performance.now();
    await pause(ms);
    return Math.min(performance.now() - started, 2 * ms);
  },
};

export const BREAKER_FIRST_BACKOFF_MS = 500;
export const BREAKER_MAX_BACKOFF_MS = 1_000;

/** What a command may do now: go (`closed`), go as the one probe after a back-off, or stay local. */
export type BreakerGate = "closed" | "probe" | "open";

export class StoreBreaker {
  #open = false;
  #retryAt = 0;
  #backoffMs: number;
  #probing = false;
  #outages = 0;
  #resumptions = 0;

  constructor(
    private readonly clock: StoreClock,
    private readonly firstBackoffMs = BREAKER_FIRST_BACKOFF_MS,
    private readonly maxBackoffMs = BREAKER_MAX_BACKOFF_MS,
  ) {
    this.#backoffMs = firstBackoffMs;
  }

  /** Outages begun so far; the current one's number while open. */
  get outages(): number {
    return this.#outages;
  }

  get resumptions(): number {
    return this.#resumptions;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  pass(): BreakerGate {
    if (!this.#open) return "closed";
    if (this.#probing || this.clock.now() < this.#retryAt) return "open";
    this.#probing = true;
    return "probe";
  }

  /** The store answered; `true` when this ended an outage. */
  succeeded(): boolean {
    this.#probing = false;
    this.#backoffMs = this.firstBackoffMs;
    if (!this.#open) return false;
    this.#open = false;
    this.#resumptions++;
    return true;
  }

  /** The store failed or did not answer in time; `true` when this began a new outage. */
  failed(): boolean {
    const wasProbe = this.#probing;
    this.#probing = false;
    const fresh = !this.#open;
    if (fresh) {
      this.#open = true;
      this.#outages++;
      this.#backoffMs = this.firstBackoffMs;
    } else if (wasProbe) {
      this.#backoffMs = Math.min(this.maxBackoffMs, this.#backoffMs * 2);
    }
    this.#retryAt = this.clock.now() + this.#backoffMs;
    return fresh;
  }

  /** A command given up for silence answered after all: the store is alive, so the next call may use it (as a probe). */
  answeredLate(): void {
    if (this.#open) this.#retryAt = Math.min(this.#retryAt, this.clock.now());
  }

  /** A probe was let through but did not reach the store (its call had no time left): let another try. */
  abandoned(): void {
    this.#probing = false;
  }
}

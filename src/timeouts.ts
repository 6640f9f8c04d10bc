/** Per-attempt time limits joined with the caller's AbortSignal. */

export interface AttemptSignal {
  /** Undefined when nothing can end the attempt early. */
  readonly signal: AbortSignal | undefined;
  /** Whether our own time limit (not the caller) ended the attempt. */
  timedOut(): boolean;
  /** Stops the timer once the attempt settled. */
  clear(): void;
}

// No shared never-aborting signal: every Request following it would add a listener that lingers.
const NEVER: AttemptSignal = {
  signal: undefined,
  timedOut: () => false,
  clear: () => {},
};

/**
 * A signal that aborts when the caller aborts or after `timeoutMs`.
 * With no limit the caller's signal is used as is, so the common path allocates nothing.
 */
export function attemptSignal(caller: AbortSignal | null | undefined, timeoutMs: number): AttemptSignal {
  if (timeoutMs <= 0) return caller ? { signal: caller, timedOut: () => false, clear: () => {} } : NEVER;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`The attempt took longer than ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  // Unref'd so a pending limit never keeps a process alive on its own.
  (timer as { unref?: () => void }).unref?.();
  let onAbort: (() => void) | undefined;
  if (caller) {
    if (caller.aborted) controller.abort(caller.reason);
    else {
      onAbort = () => controller.abort(caller.reason);
      caller.addEventListener("abort", onAbort, { once: true });
    }
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(timer);
      if (onAbort) caller?.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * Time limits for attempts that have no caller signal to join. Creating an
 * AbortController and a timer per attempt costs more than the rest of the
 * client's per-call work, so attempts starting close together share one:
 * it fires `timeoutMs` after the last of them may have started, so each gets
 * at least `timeoutMs` (and at most `timeoutMs` plus a twentieth, up to 1 s, more).
 */
export class SharedAttemptLimits {
  readonly #timeoutMs: number;
  readonly #windowMs: number;
  #current: SharedLimit | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#windowMs = Math.min(1000, Math.max(1, Math.floor(timeoutMs / 20)));
  }

  next(): AttemptSignal {
    const now = Date.now();
    let limit = this.#current;
    if (limit === undefined || !limit.accepts(now)) {
      limit = new SharedLimit(now + this.#windowMs, this.#windowMs + this.#timeoutMs, this.#timeoutMs);
      this.#current = limit;
    }
    return limit;
  }
}

// Bounded so the platform fetch never sees hundreds of requests following one signal.
const MAX_SHARED_ATTEMPTS = 64;

class SharedLimit implements AttemptSignal {
  readonly signal: AbortSignal;
  #fired = false;
  #uses = 1;

  constructor(
    private readonly closesAt: number,
    firesInMs: number,
    timeoutMs: number,
  ) {
    const controller = new AbortController();
    this.signal = controller.signal;
    const timer = setTimeout(() => {
      this.#fired = true;
      controller.abort(new DOMException(`The attempt took longer than ${timeoutMs} ms`, "TimeoutError"));
    }, firesInMs);
    (timer as { unref?: () => void }).unref?.();
  }

  accepts(now: number): boolean {
    if (now >= this.closesAt || this.#fired || this.#uses >= MAX_SHARED_ATTEMPTS) return false;
    this.#uses++;
    return true;
  }

  timedOut(): boolean {
    return this.#fired;
  }

  clear(): void {}
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

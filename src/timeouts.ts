/** Per-attempt time limits joined with the caller's AbortSignal. */

export interface AttemptSignal {
  readonly signal: AbortSignal;
  /** Whether our own time limit (not the caller) ended the attempt. */
  timedOut(): boolean;
  /** Stops the timer once the attempt settled. */
  clear(): void;
}

const NEVER: AttemptSignal = {
  signal: new AbortController().signal,
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

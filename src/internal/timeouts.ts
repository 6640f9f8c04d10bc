/**
 * Time limits: each attempt ends once it has made no progress (connecting,
 * headers, any chunk of the body) for `timeoutMs`, or as soon as the
 * caller's signal aborts; and cancellable sleeps for retries, pacing and polling.
 */

/**
 * Follows `signal` until the returned function is called. However many
 * calls share one signal, it carries one listener of the SDK's while any of
 * them waits, and none once all settled (no listener-leak warning on a long run).
 */
export function followAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let followers = relays.get(signal);
  if (followers === undefined) {
    const set = new Set<() => void>();
    followers = set;
    const relay = (): void => {
      relays.delete(signal);
      for (const follower of set) follower();
    };
    relayListeners.set(set, relay);
    relays.set(signal, set);
    signal.addEventListener("abort", relay, { once: true });
  }
  const set = followers;
  set.add(onAbort);
  return () => {
    if (!set.delete(onAbort) || set.size > 0) return;
    const relay = relayListeners.get(set);
    if (relays.get(signal) === set) relays.delete(signal);
    if (relay !== undefined) signal.removeEventListener("abort", relay);
  };
}

const relays = new WeakMap<AbortSignal, Set<() => void>>();
const relayListeners = new WeakMap<Set<() => void>, () => void>();

/** The deadline of one attempt, joined with the caller's signal. */
export class AttemptDeadline {
  /** Aborts when the caller aborts or the attempt stalls; undefined when neither can happen. */
  readonly signal: AbortSignal | undefined;
  readonly #controller: AbortController | undefined;
  readonly #caller: AbortSignal | undefined;
  readonly #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastProgress = 0;
  #timedOut = false;
  #unfollow: (() => void) | undefined;

  constructor(caller: AbortSignal | undefined, timeoutMs: number) {
    this.#caller = caller;
    this.#timeoutMs = timeoutMs;
    if (timeoutMs <= 0 && caller === undefined) return;
    const controller = new AbortController();
    this.#controller = controller;
    this.signal = controller.signal;
    if (caller !== undefined) {
      if (caller.aborted) controller.abort(caller.reason);
      else {
        this.#unfollow = followAbort(caller, () => controller.abort(caller.reason));
      }
    }
    if (timeoutMs > 0) {
      this.#lastProgress = Date.now();
      this.#arm(timeoutMs);
    }
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => {
      // Progress moves the deadline without touching the timer on every chunk.
      const idle = Date.now() - this.#lastProgress;
      if (idle < this.#timeoutMs) return this.#arm(this.#timeoutMs - idle);
      this.#timedOut = true;
      this.#controller!.abort(new DOMException(`No progress for ${this.#timeoutMs} ms`, "TimeoutError"));
    }, ms);
    // A pending limit never keeps a process alive on its own.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Something arrived: the attempt gets another `timeoutMs`. */
  progress(): void {
    if (this.#timer !== undefined) this.#lastProgress = Date.now();
  }

  /** `progress`, bound, for a reader that reports chunks. */
  readonly onProgress = (): void => this.progress();

  /** Our own limit, not the caller, ended the attempt. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** The caller aborted. */
  get callerAborted(): boolean {
    return this.#caller?.aborted === true;
  }

  /** Stops the timer and the caller listener once the attempt settled. */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unfollow?.();
    this.#unfollow = undefined;
  }
}

/**
 * Reads a whole body under the attempt's deadline. A fetch that ignores the
 * signal (a custom one) cannot hang the call: the read is cancelled when the deadline fires.
 */
export async function readBody(
  body: ReadableStream<Uint8Array>,
  deadline: AttemptDeadline | undefined,
  maxBytes = Number.POSITIVE_INFINITY,
  tooLarge: () => Error = () => new RangeError(`body longer than ${maxBytes} bytes`),
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const signal = deadline?.signal;
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      // A cancelled read ends "done": tell that apart from a complete body.
      if (signal?.aborted) throw signal.reason;
      if (done) break;
      deadline?.progress();
      size += value.byteLength;
      // Refused as soon as it is too long: nothing past the limit is kept.
      if (size > maxBytes) {
        void reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (chunks.length === 1) return chunks[0]! as Uint8Array<ArrayBuffer>;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unfollow?.();
      resolve();
    }, ms);
    const unfollow =
      signal &&
      followAbort(signal, () => {
        clearTimeout(timer);
        unfollow?.();
        reject(signal.reason);
      });
  });
}

/** Waits for a shared promise (a token being fetched for many calls) but lets this caller stop waiting. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    // Given up on, yet still observed: a shared promise (a token request) may reject later with nobody waiting.
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const unfollow = followAbort(signal, () => reject(signal.reason));
    promise.then(
      (value) => {
        unfollow();
        resolve(value);
      },
      (error: unknown) => {
        unfollow();
        reject(error);
      },
    );
  });
}

/** Like untilAborted, and gives up after `ms` (0: never) with a TimeoutError. */
export function withinDeadline<T>(promise: Promise<T>, ms: number, signal: AbortSignal | undefined): Promise<T> {
  if (ms <= 0) return untilAborted(promise, signal);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`No answer within ${ms} ms`, "TimeoutError")), ms);
  (timer as { unref?: () => void }).unref?.();
  const joined = signal === undefined ? controller.signal : AbortSignal.any([signal, controller.signal]);
  return untilAborted(promise, joined).finally(() => clearTimeout(timer));
}

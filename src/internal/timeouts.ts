/**
 * Time limits: each attempt ends once it has made no progress (connecting,
 * headers, any chunk of the body) for `timeoutMs`, or as soon as the
 * caller's signal aborts; and cancellable sleeps for retries, pacing and polling.
 */
import { EventEmitter } from "node:events";

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

/** The clock a DeadlineTimer reads and sets its one timer on; tests pass a controllable one. */
export interface TimerClock {
  now(): number;
  /** Calls `fire` after `ms`; the returned handle goes to `clear`. */
  set(fire: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** setTimeout's longest delay: it fires at once for a longer one. A later deadline is re-checked when this one passes. */
export const MAX_TIMER_MS = 2_147_483_647;

/** What a DeadlineTimer watches: when it is due (it may move later on progress) and what to do then. */
export interface Due {
  dueAt(): number;
  expire(): void;
}

/**
 * One timer for many attempt deadlines (one per client): armed for the
 * earliest deadline only, untouched when an attempt starts or makes
 * progress while another deadline comes first, and disarmed once no
 * attempt is pending. Progress only moves a deadline's time; when the
 * timer fires, each pending deadline is checked against its own time, so
 * none ends before its own time passes.
 */
export class DeadlineTimer {
  readonly #clock: TimerClock | undefined;
  readonly #pending = new Set<Due>();
  #handle: unknown;
  // When the armed timer fires (Infinity: not armed), and how to clear it (the timers of when it was set).
  #at = Number.POSITIVE_INFINITY;
  #clear: ((handle: never) => void) | undefined;

  /** Without a clock: Date.now and the global timers, looked up when used (so fake timers in tests apply). */
  constructor(clock?: TimerClock) {
    this.#clock = clock;
  }

  now(): number {
    return this.#clock === undefined ? Date.now() : this.#clock.now();
  }

  /** Whether the timer is armed (some deadline is pending). */
  get armed(): boolean {
    return this.#at !== Number.POSITIVE_INFINITY;
  }

  /** Watches `due`, first due at `at`. */
  add(due: Due, at: number): void {
    this.#pending.add(due);
    if (at < this.#at) this.#arm(at);
  }

  /** Stops watching `due`; the timer is disarmed once nothing is pending. */
  delete(due: Due): void {
    if (this.#pending.delete(due) && this.#pending.size === 0) this.#disarm();
  }

  #disarm(): void {
    if (this.#at === Number.POSITIVE_INFINITY) return;
    this.#clear!(this.#handle as never);
    this.#handle = undefined;
    this.#clear = undefined;
    this.#at = Number.POSITIVE_INFINITY;
  }

  #arm(at: number): void {
    this.#disarm();
    this.#at = at;
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, at - this.now()));
    const clock = this.#clock;
    if (clock !== undefined) {
      this.#handle = clock.set(this.#fire, ms);
      this.#clear = (handle: never) => clock.clear(handle);
      return;
    }
    const timer = setTimeout(this.#fire, ms);
    // A pending limit never keeps a process alive on its own.
    timer.unref?.();
    this.#handle = timer;
    this.#clear = clearTimeout;
  }

  readonly #fire = (): void => {
    this.#handle = undefined;
    this.#clear = undefined;
    this.#at = Number.POSITIVE_INFINITY;
    const now = this.now();
    let next = Number.POSITIVE_INFINITY;
    let expired: Due[] | undefined;
    for (const due of this.#pending) {
      const at = due.dueAt();
      if (at <= now) {
        this.#pending.delete(due);
        (expired ??= []).push(due);
      } else if (at < next) next = at;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
    if (expired === undefined) return;
    let failure: { error: unknown } | undefined;
    for (const due of expired) {
      try {
        due.expire();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  };
}

/** For deadlines made without a timer of their own (one per client is made by the pipeline). */
const sharedTimer = new DeadlineTimer();

/**
 * The deadline of one attempt, joined with the caller's signal. It is an
 * EventEmitter that emits "abort" (with `aborted` and `reason`), which the
 * HTTP layer (like undici's `request`) takes as its `signal`: an attempt
 * through the SDK's HTTP layer builds no AbortSignal. `signal` builds one on first use, for a
 * fetch or a stream reader that needs one.
 */
export class AttemptDeadline extends EventEmitter implements Due {
  /** Whether the caller aborted or the attempt stalled. */
  aborted = false;
  /** Why: the caller's reason, or a TimeoutError. */
  reason: unknown = undefined;
  readonly #caller: AbortSignal | undefined;
  readonly #timeoutMs: number;
  readonly #timer: DeadlineTimer;
  readonly #inert: boolean;
  #controller: AbortController | undefined;
  #lastProgress = 0;
  #timing = false;
  #timedOut = false;
  #unfollow: (() => void) | undefined;

  constructor(caller: AbortSignal | undefined, timeoutMs: number, timer: DeadlineTimer = sharedTimer) {
    super();
    this.#caller = caller;
    this.#timeoutMs = timeoutMs;
    this.#timer = timer;
    this.#inert = timeoutMs <= 0 && caller === undefined;
    if (caller !== undefined) {
      if (caller.aborted) {
        this.#abort(caller.reason);
        return;
      }
      this.#unfollow = followAbort(caller, () => this.#abort(caller.reason));
    }
    if (timeoutMs > 0) {
      this.#timing = true;
      this.#lastProgress = timer.now();
      timer.add(this, this.#lastProgress + timeoutMs);
    }
  }

  /** Whether anything can end this attempt early (a time limit, or a caller's signal). */
  get canAbort(): boolean {
    return !this.#inert;
  }

  /** Aborts when the caller aborts or the attempt stalls; undefined when neither can happen. Built on first use. */
  get signal(): AbortSignal | undefined {
    if (this.#inert) return undefined;
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  #abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#stopTiming();
    this.#controller?.abort(reason);
    this.emit("abort");
  }

  #stopTiming(): void {
    if (!this.#timing) return;
    this.#timing = false;
    this.#timer.delete(this);
  }

  /** @internal When this attempt's time is up: `timeoutMs` after its last progress. */
  dueAt(): number {
    return this.#lastProgress + this.#timeoutMs;
  }

  /** @internal Called by the timer once `dueAt()` has passed. */
  expire(): void {
    if (this.aborted || !this.#timing) return;
    this.#timing = false;
    this.#timedOut = true;
    this.#abort(new DOMException(`No progress for ${this.#timeoutMs} ms`, "TimeoutError"));
  }

  /** Something arrived: the attempt gets another `timeoutMs`. */
  progress(): void {
    if (this.#timing) this.#lastProgress = this.#timer.now();
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
    this.#stopTiming();
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
    let left = ms;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (): void => {
      unfollow?.();
      resolve();
    };
    // A timer fires at once past MAX_TIMER_MS: a longer wait (a long Retry-After) is made of several.
    const wait = (): void => {
      const step = Math.min(left, MAX_TIMER_MS);
      left -= step;
      timer = setTimeout(left > 0 ? wait : done, step);
    };
    const unfollow =
      signal &&
      followAbort(signal, () => {
        clearTimeout(timer);
        unfollow?.();
        reject(signal.reason);
      });
    wait();
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

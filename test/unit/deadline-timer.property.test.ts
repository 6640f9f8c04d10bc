/**
 * One timer for many attempt deadlines: whatever mix of time limits, caller
 * aborts, progress (a server's delays between chunks) and settling, each
 * attempt is aborted exactly when its own deadline passes (never earlier,
 * never at another attempt's), a caller's abort ends exactly the attempts
 * that follow it, at most one timer is armed at any moment, and none once
 * every attempt settled. The clock is vitest's fake one, so the verdicts
 * count time, never measure it.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GreenLakeAbortedError, GreenLakeTimeoutError } from "../../src/errors.js";
import { AttemptDeadline, DeadlineTimer } from "../../src/internal/timeouts.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, type FixturePaths } from "./support/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

/** The event loop's own setImmediate, which fake timers leave alone once captured here. */
const realSetImmediate = globalThis.setImmediate;

interface AttemptPlan {
  start: number;
  /** 0: no time limit. */
  timeoutMs: number;
  /** Index of the caller signal it follows, or -1 for none. */
  caller: number;
  /** Offsets after the start at which something arrives. */
  progress: number[];
  /** Offset after the start at which the attempt settles (the answer is whole), or null: it never does. */
  settle: number | null;
}

const attemptPlan: fc.Arbitrary<AttemptPlan> = fc.record({
  start: fc.integer({ min: 0, max: 300 }),
  timeoutMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200 })),
  caller: fc.integer({ min: -1, max: 2 }),
  progress: fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 6 }),
  settle: fc.option(fc.integer({ min: 0, max: 500 }), { nil: null }),
});

const scenario = fc.record({
  attempts: fc.array(attemptPlan, { minLength: 1, maxLength: 12 }),
  // When each of three caller signals aborts, if it does.
  aborts: fc.array(fc.option(fc.integer({ min: 0, max: 700 }), { nil: null }), { minLength: 3, maxLength: 3 }),
});

type Action = { at: number; order: number; run: () => void };

interface Expected {
  /** Absolute time of the end, or null when it never ends early. */
  at: number | null;
  by: "timeout" | "caller" | null;
}

/**
 * What must happen to each attempt, worked out from the plan alone. At one
 * instant the clock moves first (a timer due then fires), then the callers
 * abort, then the attempts start, make progress and settle, in that order.
 */
function expectedEnd(plan: AttemptPlan, abortAt: readonly (number | null)[]): Expected {
  const settleAt = plan.settle === null ? Number.POSITIVE_INFINITY : plan.start + plan.settle;
  // A signal aborted before the attempt starts ends it as it starts.
  const callerAt = plan.caller >= 0 && abortAt[plan.caller] !== null ? Math.max(plan.start, abortAt[plan.caller]!) : Number.POSITIVE_INFINITY;
  if (plan.timeoutMs > 0) {
    let due = plan.start + plan.timeoutMs;
    // Progress before the due moves it on; progress at the due comes too late, and none counts once the call ended.
    for (const p of [...plan.progress].sort((x, y) => x - y)) {
      const at = plan.start + p;
      if (at >= due || at > settleAt || at >= callerAt) break;
      due = at + plan.timeoutMs;
    }
    if (due <= settleAt && due <= callerAt) return { at: due, by: "timeout" };
  }
  if (callerAt !== Number.POSITIVE_INFINITY && callerAt <= settleAt) return { at: callerAt, by: "caller" };
  return { at: null, by: null };
}

describe("one timer for every attempt deadline of a client", () => {
  it("aborts each attempt exactly at its own deadline or its caller's abort, keeps at most one timer, and none after all settled", () => {
    fc.assert(
      fc.property(scenario, ({ attempts, aborts }) => {
        vi.useFakeTimers({ now: 0 });
        try {
          const timer = new DeadlineTimer();
          const callers = aborts.map(() => new AbortController());
          const deadlines: (AttemptDeadline | undefined)[] = attempts.map(() => undefined);
          const settled: boolean[] = attempts.map(() => false);
          const ended: { at: number; timedOut: boolean; reason: unknown }[] = [];
          const actions: Action[] = [];
          let order = 0;
          const add = (at: number, run: () => void) => actions.push({ at, order: order++, run });
          aborts.forEach((at, i) => {
            if (at !== null) add(at, () => callers[i]!.abort(new Error(`caller ${i}`)));
          });
          attempts.forEach((plan, i) => {
            add(plan.start, () => {
              const d = new AttemptDeadline(plan.caller >= 0 ? callers[plan.caller]!.signal : undefined, plan.timeoutMs, timer);
              deadlines[i] = d;
              const record = () => (ended[i] = { at: Date.now(), timedOut: d.timedOut, reason: d.reason });
              if (d.aborted) record();
              else d.on("abort", record);
            });
            for (const p of plan.progress) add(plan.start + p, () => deadlines[i]!.progress());
            if (plan.settle !== null)
              add(plan.start + plan.settle, () => {
                deadlines[i]!.clear();
                settled[i] = true;
              });
          });
          // Within one instant: starts first (they were queued first for their attempt), then in plan order.
          actions.sort((a, b) => a.at - b.at || a.order - b.order);
          let maxTimers = 0;
          // Once no attempt is running (each settled or ended), no timer may stay armed.
          const idle = () => deadlines.every((d, i) => d === undefined || settled[i] || ended[i] !== undefined || !d.canAbort);
          for (const action of actions) {
            vi.advanceTimersByTime(action.at - Date.now());
            maxTimers = Math.max(maxTimers, vi.getTimerCount());
            action.run();
            maxTimers = Math.max(maxTimers, vi.getTimerCount());
            if (idle()) expect(vi.getTimerCount(), `timers armed with no attempt running, at ${Date.now()}`).toBe(0);
          }
          // Whatever never settles runs until its deadline (if any) has passed.
          vi.advanceTimersByTime(2_000);
          for (const d of deadlines) d!.clear();

          attempts.forEach((plan, i) => {
            const want = expectedEnd(plan, aborts);
            const got = ended[i];
            if (want.by === null) {
              expect(got, `attempt ${i} must not end early`).toBeUndefined();
              return;
            }
            expect(got, `attempt ${i} must end (${want.by}) at ${want.at}`).toBeDefined();
            expect(got!.at, `attempt ${i}: when it ended`).toBe(want.at);
            expect(got!.timedOut).toBe(want.by === "timeout");
            if (want.by === "timeout") {
              expect(got!.reason).toMatchObject({ name: "TimeoutError", message: `No progress for ${plan.timeoutMs} ms` });
            } else {
              expect((got!.reason as Error).message).toBe(`caller ${plan.caller}`);
            }
          });
          expect(maxTimers, "timers armed at once").toBeLessThanOrEqual(1);
          expect(vi.getTimerCount(), "timers armed after every attempt settled").toBe(0);
          expect(timer.armed).toBe(false);
        } finally {
          vi.useRealTimers();
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("attempt deadlines through a client", () => {
  it("ends each of many concurrent calls with its own time limit, and leaves no timer behind", async () => {
    vi.useFakeTimers({ now: 0 });
    const started: number[] = [];
    // A server that answers nothing, but honours the attempt's signal.
    const fetch = (request: Request) =>
      new Promise<Response>((_resolve, reject) => {
        started.push(Date.now());
        request.signal.addEventListener("abort", () => reject(request.signal.reason));
      });
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, timeoutMs: 1_000, retry: false, env: {} });
    const limits = [30, 10, 1_000, 20, 10];
    const ended: { i: number; at: number; error: unknown }[] = [];
    const calls = limits.map((timeoutMs, i) =>
      client.GET("/identity/v1/users", timeoutMs === 1_000 ? {} : { timeoutMs }).then(
        () => ended.push({ i, at: Date.now(), error: undefined }),
        (error: unknown) => ended.push({ i, at: Date.now(), error }),
      ),
    );
    const controller = new AbortController();
    const aborted = client.GET("/identity/v1/users", { signal: controller.signal, timeoutMs: 50 }).catch((error: unknown) => error);
    // Each call reaches its fetch after a few turns of the event loop (more on a busy machine, when a module
    // the first call loads is still being read): wait for all six with the clock stopped, so no deadline moves.
    for (let turns = 0; started.length < 6 && turns < 100_000; turns++) await new Promise((resolve) => realSetImmediate(resolve));
    expect(started).toEqual([0, 0, 0, 0, 0, 0]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(15);
    controller.abort(new Error("stop"));
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(calls);
    expect(await aborted).toBeInstanceOf(GreenLakeAbortedError);
    expect(ended.map(({ i, at }) => [i, at]).sort((a, b) => a[0]! - b[0]!)).toEqual(limits.map((ms, i) => [i, ms]));
    for (const { i, error } of ended) {
      expect(error).toBeInstanceOf(GreenLakeTimeoutError);
      expect((error as Error).message).toContain(`got no response for ${limits[i]} ms`);
    }
    expect(vi.getTimerCount()).toBe(0);
  });
});

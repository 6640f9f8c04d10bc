/**
 * Polling follows the server's `Retry-After` on a poll answer (an async operation's or a Compute Ops
 * Management job's), within the caller's bounds: never more often than `minPollIntervalMs`, never later
 * than `maxPollIntervalMs`, never past `timeoutMs`, whatever the server sends. On the fake clock.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { waitForAsyncOperation, waitForComJob, type WaitOptions } from "../../src/async-operations.js";
import { GreenLakeTimeoutError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, regionalService, stubFetch, type FixturePaths } from "./support/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

// A whole second, so an HTTP date (whole seconds) at a poll on a whole second means exactly what it says.
const START = Date.UTC(2026, 0, 5, 9, 0, 0);
// A timer cannot wait longer than this (Node fires a longer one at once).
const MAX_TIMER_MS = 2_147_483_647;

/** What one poll answer says about the next poll. */
type Ask =
  /** delta-seconds, possibly padded with spaces */
  | { readonly kind: "seconds"; readonly seconds: number; readonly pad: string }
  /** an HTTP date this many seconds from the poll (zero or past: no wait asked) */
  | { readonly kind: "date"; readonly offsetSeconds: number }
  /** something the server should not send: no wait asked */
  | { readonly kind: "garbage"; readonly text: string }
  /** a wait too absurd to take literally (or a form HTTP does not define): only the bounds are checked */
  | { readonly kind: "absurd"; readonly text: string }
  | { readonly kind: "none" };

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 });

const ask: fc.Arbitrary<Ask> = fc.oneof(
  fc.record({ kind: fc.constant("seconds" as const), seconds: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 999_999_999 })), pad: fc.constantFrom("", " ", "  ") }),
  fc.record({ kind: fc.constant("date" as const), offsetSeconds: fc.oneof(fc.integer({ min: -10, max: 120 }), fc.integer({ min: -1e8, max: 1e8 })) }),
  fc.record({
    kind: fc.constant("garbage" as const),
    text: fc.oneof(
      fc.constantFrom("-1", "-0", "0", "00", "-0.5", "1e3", "0x10", "Infinity", "-Infinity", "NaN", "", "soon", "10 s", "+5", "5,5", "2026-01-01T00:00:00Z", "Mon, 99 Foo 2026 99:99:99 GMT", "1 000"),
      fc.integer({ min: -1e9, max: -1 }).map(String),
      // Not a number and not starting like an HTTP date.
      printable.filter((s) => !/^\s*[\d.]*\s*$/.test(s) && !/^\s*[A-Za-z]{3}/.test(s) && !/^\s*\d+\s*$/.test(s)),
    ),
  }),
  fc.record({ kind: fc.constant("absurd" as const), text: fc.constantFrom("12345678901234567890", "9".repeat(400), "1.5", "0.001", "999999999.999") }),
  fc.constant({ kind: "none" as const }),
);

/** The header value for `a`, sent at time `now`. */
function header(a: Ask, now: number): string | undefined {
  switch (a.kind) {
    case "seconds":
      return `${a.pad}${a.seconds}${a.pad}`;
    case "date":
      return new Date(now + a.offsetSeconds * 1000).toUTCString();
    case "garbage":
    case "absurd":
      return a.text;
    case "none":
      return undefined;
  }
}

/** The wait `a` asks for when sent at `now`; `undefined`: none (the fallback interval applies); `null`: not checked. */
function asked(a: Ask, now: number): number | undefined | null {
  switch (a.kind) {
    case "seconds":
      return a.seconds * 1000;
    case "date": {
      const at = Math.floor((now + a.offsetSeconds * 1000) / 1000) * 1000;
      return at > now ? at - now : undefined;
    }
    case "absurd":
      return null;
    default:
      return undefined;
  }
}

interface Bounds {
  readonly minPollIntervalMs?: number;
  readonly maxPollIntervalMs?: number;
  readonly pollIntervalMs?: number;
  readonly timeoutMs?: number;
}

const bounds: fc.Arbitrary<Bounds> = fc.record(
  {
    minPollIntervalMs: fc.integer({ min: 1, max: 10_000 }),
    maxPollIntervalMs: fc.oneof(fc.integer({ min: 1, max: 600_000 }), fc.constant(Number.POSITIVE_INFINITY), fc.constant(1e13)),
    pollIntervalMs: fc.integer({ min: 1, max: 120_000 }),
    timeoutMs: fc.oneof(fc.integer({ min: 1, max: 30 * 60_000 }), fc.constant(1e13)),
  },
  { requiredKeys: [] },
);

/** A body's `suggestedPollingIntervalSeconds` as a hostile server might send it (async operations only). */
const suggestion = fc.option(
  fc.oneof(
    fc.double({ noNaN: false }),
    fc.integer({ min: 1, max: 600_000 }).map((ms) => ms / 1000),
    fc.constantFrom(0, -1, 1e300, "5", null, true, {}),
  ),
  { nil: undefined },
);

type Kind = "async-operation" | "job";
type Answer = { readonly ask: Ask; readonly suggested?: unknown };

interface Run {
  readonly polls: number[];
  readonly outcome: unknown;
}

/** Polls a resource that runs for `answers.length` polls, each answer carrying its ask, then ends. */
async function run(kind: Kind, answers: readonly Answer[], options: WaitOptions): Promise<Run> {
  vi.useFakeTimers({ now: START });
  const polls: number[] = [];
  const { fetch } = stubFetch((_request, i) => {
    const now = Date.now();
    polls.push(now);
    const answer = answers[i];
    const value = answer === undefined ? undefined : header(answer.ask, now);
    const headers: Record<string, string> = value === undefined ? {} : { "retry-after": value };
    if (kind === "job") return json({ id: "job-1", state: answer === undefined ? "COMPLETE" : "RUNNING" }, 200, headers);
    const body = answer?.suggested === undefined ? {} : { suggestedPollingIntervalSeconds: answer.suggested };
    return json({ id: "op-1", status: answer === undefined ? "SUCCEEDED" : "RUNNING", ...body }, 200, headers);
  });
  const client = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch, retry: false, env: {} });
  const waiting = (kind === "job" ? waitForComJob(client, "job-1", options) : waitForAsyncOperation(client, "/compute-ops-mgmt/v1/async-operations/op-1", options)).then(
    (resource) => resource,
    (error: unknown) => error,
  );
  await vi.runAllTimersAsync();
  const outcome = await waiting;
  vi.useRealTimers();
  return { polls, outcome };
}

/** The wait the body's suggestion asks for, as JSON carries it; `undefined` when it asks nothing. */
function suggestedMs(value: unknown): number | undefined {
  const sent = value === undefined ? undefined : (JSON.parse(JSON.stringify({ v: value })) as { v?: unknown }).v;
  return typeof sent === "number" && sent > 0 ? sent * 1000 : undefined;
}

describe("Retry-After on a poll answer", () => {
  it("is followed within the caller's bounds, and no hostile value stalls a wait past them or hurries it below the floor", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Kind>("async-operation", "job"),
        fc.array(fc.record({ ask, suggested: suggestion }), { minLength: 1, maxLength: 5 }),
        bounds,
        async (kind, answers, options) => {
          // Jobs carry no suggested interval: only Retry-After.
          const shown: readonly Answer[] = kind === "job" ? answers.map(({ ask: a }) => ({ ask: a })) : answers;
          const { polls, outcome } = await run(kind, shown, options);
          const floor = options.minPollIntervalMs ?? 1000;
          const ceiling = Math.min(MAX_TIMER_MS, Math.max(floor, options.maxPollIntervalMs ?? 60_000));
          const timeoutMs = options.timeoutMs ?? 15 * 60_000;
          const deadline = START + timeoutMs;
          // Never past the caller's timeout: the last poll is at the deadline at the latest.
          expect(polls.at(-1)!).toBeLessThanOrEqual(deadline);
          if (outcome instanceof GreenLakeTimeoutError) expect(polls.at(-1)).toBe(deadline);
          else expect(outcome).toMatchObject({ id: kind === "job" ? "job-1" : "op-1" });
          for (let i = 1; i < polls.length; i++) {
            const at = polls[i - 1]!;
            const gap = polls[i]! - at;
            const left = deadline - at;
            // Within the bounds; only the deadline may cut a wait below the floor.
            expect(gap).toBeLessThanOrEqual(Math.min(ceiling, left));
            expect(gap).toBeGreaterThanOrEqual(Math.min(floor, left));
            // And what the server asked for, bounded: the body's suggestion first, then Retry-After.
            const answer = shown[i - 1]!;
            const fromBody = suggestedMs(answer.suggested);
            const want = fromBody ?? asked(answer.ask, at);
            if (want === null) continue;
            const expected = Math.min(left, ceiling, Math.max(floor, want ?? options.pollIntervalMs ?? 5000));
            // A timer waits whole milliseconds; a suggestion in seconds may not be one.
            expect(Math.abs(gap - expected)).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe("Retry-After on a poll answer (examples)", () => {
  it("spaces a job's polls as its delta-seconds and HTTP date ask", async () => {
    const { polls, outcome } = await run("job", [{ ask: { kind: "seconds", seconds: 3, pad: "" } }, { ask: { kind: "date", offsetSeconds: 7 } }], {});
    expect(outcome).toMatchObject({ state: "COMPLETE" });
    expect(polls.map((t) => t - START)).toEqual([0, 3000, 10_000]);
  });

  it("follows an async operation's Retry-After when its body suggests no interval, and the body's suggestion when it does", async () => {
    const { polls } = await run(
      "async-operation",
      [{ ask: { kind: "seconds", seconds: 2, pad: "" } }, { ask: { kind: "seconds", seconds: 30, pad: "" }, suggested: 1.5 }],
      {},
    );
    expect(polls.map((t) => t - START)).toEqual([0, 2000, 3500]);
  });

  it("waits no longer than maxPollIntervalMs, nor past timeoutMs, for a Retry-After of years", async () => {
    const capped = await run("job", [{ ask: { kind: "seconds", seconds: 999_999_999, pad: "" } }], { maxPollIntervalMs: 4000 });
    expect(capped.polls.map((t) => t - START)).toEqual([0, 4000]);
    const timedOut = await run("job", [{ ask: { kind: "seconds", seconds: 999_999_999, pad: "" } }, { ask: { kind: "none" } }], { maxPollIntervalMs: 1e13, timeoutMs: 90_000 });
    expect(timedOut.outcome).toBeInstanceOf(GreenLakeTimeoutError);
    expect(timedOut.polls.map((t) => t - START)).toEqual([0, 90_000]);
  });

  it("waits the fallback interval for a negative or malformed Retry-After, and never less than minPollIntervalMs", async () => {
    const { polls } = await run("job", [{ ask: { kind: "garbage", text: "-5" } }, { ask: { kind: "garbage", text: "soon" } }, { ask: { kind: "seconds", seconds: 1, pad: "" } }], {
      pollIntervalMs: 2500,
      minPollIntervalMs: 1500,
    });
    expect(polls.map((t) => t - START)).toEqual([0, 2500, 5000, 6500]);
  });
});

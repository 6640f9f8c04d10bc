/**
 * A poll interval is a real wait whatever the caller's bounds are: a bound given as NaN (as
 * `Number(process.env.POLL_MS)` gives when the variable is unset) counts as not given, never as a
 * wait of NaN, which a timer takes as no wait at all and turns polling into a tight loop.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_POLL_INTERVAL_MS, pollDelay } from "../../src/internal/retry.js";

const bound = fc.oneof(fc.constant(undefined), fc.constant(Number.NaN), fc.integer({ min: 0, max: 600_000 }), fc.constant(Number.POSITIVE_INFINITY));
const suggestion = fc.oneof(fc.constant(undefined), fc.constant(Number.NaN), fc.double(), fc.integer({ min: 1, max: 600_000 }));

describe("pollDelay with a bound given as NaN", () => {
  it("waits as if that bound were not given (property)", () => {
    fc.assert(
      fc.property(suggestion, bound, bound, bound, (suggested, fallbackMs, maxMs, minMs) => {
        const unset = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? undefined : v);
        const delay = pollDelay(suggested, { fallbackMs, maxMs, minMs });
        expect(delay).toBe(pollDelay(suggested, { fallbackMs: unset(fallbackMs), maxMs: unset(maxMs), minMs: unset(minMs) }));
        expect(Number.isNaN(delay)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("polls at the default interval, not at once, when an interval is Number(undefined)", () => {
    expect(pollDelay(undefined, { fallbackMs: Number(undefined) })).toBe(5000);
    expect(pollDelay(undefined, { minMs: Number.NaN })).toBe(5000);
    expect(pollDelay(500, { minMs: Number.NaN, maxMs: Number.NaN })).toBe(MIN_POLL_INTERVAL_MS);
  });
});

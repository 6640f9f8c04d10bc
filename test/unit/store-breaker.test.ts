import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BREAKER_FIRST_BACKOFF_MS, BREAKER_MAX_BACKOFF_MS, StoreBreaker, type StoreClock } from "../../src/internal/store-breaker.js";

function manualClock() {
  let now = 0;
  const clock: StoreClock = { now: () => now, sleep: async () => undefined, tick: async (ms) => ms };
  return { clock, advance: (ms: number) => (now += ms), now: () => now };
}

type Step = { kind: "call"; outcome: "ok" | "fail" } | { kind: "advance"; ms: number };

describe("the shared store's breaker", () => {
  it("lets no command through within a back-off, one probe after it, and counts each outage once (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("call" as const), outcome: fc.constantFrom("ok" as const, "fail" as const) }),
            fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
          ),
          { maxLength: 80 },
        ),
        (steps: Step[]) => {
          const { clock, advance, now } = manualClock();
          const breaker = new StoreBreaker(clock);
          // The model: open or not, when the next probe may go, the current back-off, outages begun.
          let open = false;
          let retryAt = 0;
          let backoff = BREAKER_FIRST_BACKOFF_MS;
          let outages = 0;
          for (const step of steps) {
            if (step.kind === "advance") {
              advance(step.ms);
              continue;
            }
            const gate = breaker.pass();
            if (!open) expect(gate).toBe("closed");
            else expect(gate).toBe(now() >= retryAt ? "probe" : "open");
            if (gate === "open") continue;
            if (step.outcome === "ok") {
              expect(breaker.succeeded()).toBe(open);
              open = false;
              backoff = BREAKER_FIRST_BACKOFF_MS;
            } else {
              expect(breaker.failed()).toBe(!open);
              if (!open) {
                outages++;
                backoff = BREAKER_FIRST_BACKOFF_MS;
              } else backoff = Math.min(BREAKER_MAX_BACKOFF_MS, backoff * 2);
              open = true;
              retryAt = now() + backoff;
            }
            expect(breaker.outages).toBe(outages);
            expect(retryAt - now()).toBeLessThanOrEqual(BREAKER_MAX_BACKOFF_MS);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("lets one probe through at a time", () => {
    const { clock, advance } = manualClock();
    const breaker = new StoreBreaker(clock);
    breaker.failed();
    advance(BREAKER_FIRST_BACKOFF_MS);
    expect(breaker.pass()).toBe("probe");
    expect(breaker.pass()).toBe("open");
    breaker.abandoned();
    expect(breaker.pass()).toBe("probe");
  });
});

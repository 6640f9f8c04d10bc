/**
 * A wait longer than a timer can hold (2^31-1 ms, about 24.8 days) is still that long: Node fires such a
 * timer at once, which would turn a server's long Retry-After (with `retry.maxRetryAfterMs` raised to match)
 * into an immediate retry. Time is vitest's fake clock, which fires an oversized timer at once as Node does.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sleep } from "../../src/internal/timeouts.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService } from "./support/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

const MAX_TIMER_MS = 2 ** 31 - 1;

describe("sleep", () => {
  it("resolves after exactly the time asked, however far past a timer's range", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_TIMER_MS - 2, max: 2 ** 45 }), async (ms) => {
        vi.useFakeTimers();
        try {
          let done = false;
          void sleep(ms).then(() => (done = true));
          await vi.advanceTimersByTimeAsync(ms - 1);
          expect(done).toBe(false);
          await vi.advanceTimersByTimeAsync(1);
          expect(done).toBe(true);
        } finally {
          vi.useRealTimers();
        }
      }),
      { numRuns: 30 },
    );
  });

  it("still ends at once when its signal aborts during a long wait", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let outcome: unknown = "pending";
    void sleep(2 ** 40, controller.signal).then(
      () => (outcome = "resolved"),
      (error: unknown) => (outcome = error),
    );
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 10);
    expect(outcome).toBe("pending");
    controller.abort(new Error("stop"));
    await vi.advanceTimersByTimeAsync(0);
    expect((outcome as Error).message).toBe("stop");
  });
});

describe("a Retry-After longer than a timer holds", () => {
  it("is waited out before the next attempt when maxRetryAfterMs allows it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: Math.ceil(MAX_TIMER_MS / 1000), max: 999_999_999 }), async (seconds) => {
        vi.useFakeTimers();
        try {
          let calls = 0;
          const fetch = async (): Promise<Response> => {
            calls += 1;
            return calls === 1 ? new Response(null, { status: 503, headers: { "retry-after": String(seconds) } }) : new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
          };
          const client = createServiceClient<any>(globalService, {
            token: "tok-abcdefgh",
            baseUrl: "http://127.0.0.1:9",
            env: {},
            pacing: false,
            timeoutMs: 0,
            retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: Number.MAX_SAFE_INTEGER },
            fetch,
          });
          let status: unknown = "pending";
          void client.GET("/identity/v1/users", {}).then((result: { response: Response }) => (status = result.response.status));
          await vi.advanceTimersByTimeAsync(seconds * 1000 - 1);
          expect(calls).toBe(1);
          await vi.advanceTimersByTimeAsync(1);
          expect(calls).toBe(2);
          expect(status).toBe(200);
        } finally {
          vi.useRealTimers();
        }
      }),
      { numRuns: 20 },
    );
  });
});

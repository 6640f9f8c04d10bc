/**
 * A fetch given to the client that never looks at its Request's signal (a wrapper around a library that
 * takes none) still cannot hold a call past its time limit or past the caller's abort: the attempt ends when
 * its deadline does, whatever the fetch does afterwards. Time is vitest's fake clock: no real waits.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GreenLakeAbortedError, GreenLakeTimeoutError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService } from "./support/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

const TIMEOUT_MS = 5_000;

/** What a fetch that ignores its signal does: never answer, or answer only after the attempt has ended. */
type Behaviour = "never" | "late";

function deafFetch(behaviour: Behaviour, called: () => void): { fetch: (request: Request) => Promise<Response>; answerLate: () => void } {
  let answer: ((response: Response) => void) | undefined;
  return {
    fetch: () => {
      called();
      return new Promise<Response>((resolve) => {
        if (behaviour === "late") answer = resolve;
      });
    },
    answerLate: () => answer?.(new Response("{}", { status: 200, headers: { "content-type": "application/json" } })),
  };
}

describe("a fetch that ignores its signal", () => {
  it("ends at the attempt's time limit or the caller's abort, whatever the method and the fetch's behaviour", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Behaviour>("never", "late"),
        fc.constantFrom("abort", "timeout"),
        fc.constantFrom("GET", "POST", "PUT", "DELETE"),
        fc.integer({ min: 0, max: TIMEOUT_MS - 1 }),
        async (behaviour, end, method, abortAfterMs) => {
          vi.useFakeTimers();
          try {
            let calledResolve!: () => void;
            const called = new Promise<void>((resolve) => (calledResolve = resolve));
            const deaf = deafFetch(behaviour, calledResolve);
            const client = createServiceClient<any>(globalService, { token: "tok-abcdefgh", baseUrl: "http://127.0.0.1:9", env: {}, retry: false, pacing: false, timeoutMs: TIMEOUT_MS, fetch: deaf.fetch });
            const controller = new AbortController();
            const send = client[method as "GET"] as (path: string, init: unknown) => Promise<unknown>;
            let outcome: unknown = "pending";
            void send("/identity/v1/users", { signal: controller.signal }).then(
              (result) => (outcome = result),
              (error: unknown) => (outcome = error),
            );
            await called;
            if (end === "abort") {
              await vi.advanceTimersByTimeAsync(abortAfterMs);
              controller.abort(new Error("caller gave up"));
              await vi.advanceTimersByTimeAsync(0);
            } else {
              await vi.advanceTimersByTimeAsync(TIMEOUT_MS + 1);
            }
            expect(outcome).toBeInstanceOf(end === "abort" ? GreenLakeAbortedError : GreenLakeTimeoutError);
            // An answer that comes after the attempt ended changes nothing.
            deaf.answerLate();
            await vi.advanceTimersByTimeAsync(0);
            expect(outcome).toBeInstanceOf(end === "abort" ? GreenLakeAbortedError : GreenLakeTimeoutError);
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("ends a GET whose fetch never answers with a time limit error after timeoutMs", async () => {
    vi.useFakeTimers();
    let calledResolve!: () => void;
    const called = new Promise<void>((resolve) => (calledResolve = resolve));
    const client = createServiceClient<any>(globalService, { token: "tok-abcdefgh", baseUrl: "http://127.0.0.1:9", env: {}, retry: false, pacing: false, timeoutMs: TIMEOUT_MS, fetch: deafFetch("never", calledResolve).fetch });
    let outcome: unknown = "pending";
    void client.GET("/identity/v1/users", {}).then(
      (result: unknown) => (outcome = result),
      (error: unknown) => (outcome = error),
    );
    await called;
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(outcome).toBe("pending");
    await vi.advanceTimersByTimeAsync(2);
    expect(outcome).toBeInstanceOf(GreenLakeTimeoutError);
  });
});

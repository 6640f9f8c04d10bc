/**
 * The auth step makes the `Authorization` value once per token and reuses it:
 * whatever tokens the source hands out (repeated, alternating, one a
 * prefix of another), in whatever order concurrent calls get them, every
 * attempt sends `Bearer <the token it was given>`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Log } from "../../src/logging.js";
import type { TokenSource } from "../../src/internal/auth.js";
import type { RetryPolicy } from "../../src/internal/retry.js";
import { authStep } from "../../src/internal/pipeline/auth.js";
import type { Exchange } from "../../src/internal/pipeline/exchange.js";

const quietLog = { debugEnabled: false, infoEnabled: false, warnEnabled: false, debug() {}, info() {}, warn() {}, error() {} } as unknown as Log;
const noReplay = { replaysUnauthorized: false } as unknown as RetryPolicy;

function exchangeFor(i: number): Exchange {
  const url = `https://example.test/v1/things/${i}`;
  return {
    method: "GET",
    url,
    path: `/v1/things/${i}`,
    request: {} as Request,
    call: {},
    signal: undefined,
    headers: new Headers(),
    body: null,
    idempotencyKey: false,
    dispatcher: undefined,
    attempt: 1,
    deadline: undefined,
    receiving: false,
    callerAuthorization: undefined,
    replayedUnauthorized: false,
  };
}

// Short tokens from a small alphabet, so repeats and prefixes are common.
const token = fc.stringMatching(/^[ab0-9._~+/=-]{1,4}$/);

describe("auth step: the Authorization value", () => {
  it("is Bearer and the token each call was given, however tokens repeat and concurrent calls receive them", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ token, asPromise: fc.boolean() }), { minLength: 1, maxLength: 25 }), fc.scheduler(), async (handed, s) => {
        let next = 0;
        const given: string[] = [];
        const auth: TokenSource = {
          renewable: false,
          invalidate() {},
          token() {
            const { token: t, asPromise } = handed[next++]!;
            given.push(t);
            return asPromise ? s.schedule(Promise.resolve(t)) : t;
          },
        };
        const step = authStep(auth, noReplay, quietLog);
        const sent = new Map<number, string | null>();
        const calls = handed.map((_, i) =>
          step(exchangeFor(i), async (exchange) => {
            sent.set(i, exchange.headers.get("authorization"));
            return new Response(null, { status: 200 });
          }),
        );
        await s.waitAll();
        await Promise.all(calls);
        // Tokens are handed out in call order (each call asks once, synchronously, when it starts).
        expect(handed.map((_, i) => sent.get(i))).toEqual(given.map((t) => `Bearer ${t}`));
      }),
      { numRuns: 200 },
    );
  });
});

import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ServiceMetadata } from "../../src/metadata.js";
import { Budget, readServerRateLimit } from "../../src/internal/pacing.js";
import { GreenLake } from "../../src/greenlake.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, stubFetch, type FixturePaths } from "./support/fixtures.js";
import { busiestWindow } from "./support/windows.js";

afterEach(() => {
  vi.useRealTimers();
});

/** A service whose one operation states a limit, as the generator writes it from a document. */
function limitedService(requests: number, windowSeconds: number): ServiceMetadata {
  return {
    service: "identity",
    documents: ["identity"],
    servers: { global: "https://global.api.greenlake.hpe.com" },
    operations: [
      {
        method: "get",
        path: "/identity/v1/users",
        operationId: "listUsers",
        deprecated: false,
        document: "identity",
        rateLimits: [{ requests, windowSeconds, scope: "workspace", source: "description of GET /identity/v1/users" }],
      },
      { method: "post", path: "/identity/v1/users", operationId: "addUser", deprecated: false, document: "identity" },
    ],
  };
}

const serverSays = fc.record(
  {
    limit: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constant(Number.NaN)),
    remaining: fc.integer({ min: -5, max: 100 }),
    resetInMs: fc.integer({ min: -1000, max: 5000 }),
  },
  { requiredKeys: [] },
);

describe("a budget", () => {
  it("never starts more than its limit in any window, whatever the arrivals, the server's headers and its waits (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 10, max: 2000 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.array(
          fc.record({ gap: fc.nat(400), says: fc.option(serverSays, { nil: undefined }), holdMs: fc.option(fc.nat(3000), { nil: undefined }) }),
          { minLength: 1, maxLength: 120 },
        ),
        (requests, windowMs, margin, arrivals) => {
          const budget = new Budget("k", "test", "workspace", "documents", requests, windowMs, margin);
          let now = 1_000_000;
          const starts: number[] = [];
          for (const arrival of arrivals) {
            now += arrival.gap;
            const start = budget.reserve(now);
            expect(start).toBeGreaterThanOrEqual(now);
            starts.push(start);
            if (arrival.says) {
              const headers = new Headers();
              if (arrival.says.limit !== undefined) headers.set("ratelimit-limit", String(arrival.says.limit));
              if (arrival.says.remaining !== undefined) headers.set("x-ratelimit-remaining", String(arrival.says.remaining));
              if (arrival.says.resetInMs !== undefined) headers.set("ratelimit-reset", String(arrival.says.resetInMs / 1000));
              const server = readServerRateLimit(headers, now);
              if (server) budget.observe(server);
            }
            if (arrival.holdMs !== undefined) budget.block(now + arrival.holdMs);
          }
          expect(busiestWindow(starts, windowMs)).toBeLessThanOrEqual(requests);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("spends the calls the server says remain before its reset, then waits for the reset", () => {
    const budget = new Budget("k", "test", "api-client", "headers", undefined, undefined, 0.05);
    const now = 1_000;
    expect(budget.reserve(now)).toBe(now);
    budget.observe({ remaining: 2, resetAt: now + 1000 });
    const first = budget.reserve(now);
    const second = budget.reserve(now);
    const third = budget.reserve(now);
    expect(first).toBe(now);
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThanOrEqual(now + 1000);
  });

  it("reads ratelimit-* and X-RateLimit-* in seconds, epoch seconds or a date", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(readServerRateLimit(new Headers({ "ratelimit-limit": "100, 100;w=60", "ratelimit-remaining": "7", "ratelimit-reset": "30" }), now)).toEqual({
      limit: 100,
      remaining: 7,
      resetAt: now + 30_000,
    });
    expect(readServerRateLimit(new Headers({ "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(now / 1000 + 5) }), now)).toEqual({ remaining: 0, resetAt: now + 5000 });
    expect(readServerRateLimit(new Headers({ "x-ratelimit-remaining": "1", "x-ratelimit-reset": new Date(now + 60_000).toUTCString() }), now)).toEqual({
      remaining: 1,
      resetAt: now + 60_000,
    });
    expect(readServerRateLimit(new Headers({ "content-type": "application/json" }), now)).toBeUndefined();
  });
});

describe("pacing a client", () => {
  it("keeps the calls to an operation within its stated limit, whatever their arrival, with headers and 429s from the server (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 50, max: 400 }),
        fc.array(fc.nat(120), { minLength: 1, maxLength: 25 }),
        fc.array(fc.oneof(fc.constant("ok"), fc.constant("headers"), fc.constant("429")), { minLength: 1, maxLength: 8 }),
        async (requests, windowMs, gaps, answers) => {
          vi.useFakeTimers({ now: 5_000_000 });
          const { fetch, requests: sent } = stubFetch((_r, i) => {
            const answer = answers[i % answers.length];
            if (answer === "429") return json({}, 429, { "retry-after": "0.2" });
            if (answer === "headers") return json({}, 200, { "ratelimit-limit": String(requests), "ratelimit-remaining": "1", "ratelimit-reset": "0.3" });
            return json({});
          });
          const times: number[] = [];
          const recording = async (request: Request) => {
            times.push(Date.now());
            return fetch(request);
          };
          const client = createServiceClient<FixturePaths>(limitedService(requests, windowMs / 1000), { token: "t", fetch: recording, env: {}, retry: false });
          const calls: Promise<unknown>[] = [];
          let at = 0;
          for (const gap of gaps) {
            at += gap;
            setTimeout(() => calls.push(client.GET("/identity/v1/users")), at);
          }
          await vi.advanceTimersByTimeAsync(at + 1);
          await vi.advanceTimersByTimeAsync(gaps.length * windowMs * 2 + 10_000);
          await Promise.all(calls);
          vi.useRealTimers();
          expect(sent).toHaveLength(gaps.length);
          expect(busiestWindow(times, windowMs)).toBeLessThanOrEqual(requests);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("ends a pacing wait when the call's signal aborts, sending nothing (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 900 }), async (queued, abortAfterMs) => {
        vi.useFakeTimers({ now: 7_000_000 });
        const { fetch, requests } = stubFetch(() => json({}));
        const client = createServiceClient<FixturePaths>(limitedService(1, 1), { token: "t", fetch, env: {} });
        await client.GET("/identity/v1/users");
        const controller = new AbortController();
        const waiting = Array.from({ length: queued }, () => client.GET("/identity/v1/users", { signal: controller.signal }).then(() => "sent", (e: unknown) => e));
        setTimeout(() => controller.abort(new Error("stop")), abortAfterMs);
        await vi.advanceTimersByTimeAsync(abortAfterMs);
        const outcomes = await Promise.all(waiting);
        vi.useRealTimers();
        expect(outcomes.every((o) => o instanceof Error && o.name === "GreenLakeAbortedError" && (o.cause as Error)?.message === "stop")).toBe(true);
        expect(requests).toHaveLength(1);
      }),
      { numRuns: 30 },
    );
  });

  it("holds the whole budget for a 429's Retry-After, not only the call that got it", async () => {
    vi.useFakeTimers({ now: 9_000_000 });
    const { fetch, requests } = stubFetch((_r, i) => (i === 0 ? json({}, 429, { "retry-after": "2" }) : json({})));
    const times: number[] = [];
    const client = createServiceClient<FixturePaths>(limitedService(100, 1), {
      token: "t",
      env: {},
      retry: false,
      fetch: (r) => {
        times.push(Date.now());
        return fetch(r);
      },
    });
    await client.GET("/identity/v1/users");
    const other = client.GET("/identity/v1/users");
    await vi.advanceTimersByTimeAsync(1999);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2);
    await other;
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(2000);
  });

  it("turns off with pacing: false and lets a limit be replaced or removed by name", async () => {
    vi.useFakeTimers({ now: 11_000_000 });
    const { fetch, requests } = stubFetch(() => json({}));
    const off = createServiceClient<FixturePaths>(limitedService(1, 60), { token: "t", fetch, env: {}, pacing: false });
    await Promise.all([off.GET("/identity/v1/users"), off.GET("/identity/v1/users")]);
    expect(requests).toHaveLength(2);
    const removed = createServiceClient<FixturePaths>(limitedService(1, 60), { token: "t", fetch, env: {}, pacing: { limits: { "GET /identity/v1/users": false } } });
    await Promise.all([removed.GET("/identity/v1/users"), removed.GET("/identity/v1/users")]);
    expect(requests).toHaveLength(4);
    const replaced = createServiceClient<FixturePaths>(limitedService(1, 60), { token: "t", fetch, env: {}, pacing: { limits: { "GET /identity/v1/users": { requests: 10, windowSeconds: 1 } } } });
    const two = Promise.all([replaced.GET("/identity/v1/users"), replaced.GET("/identity/v1/users")]);
    await vi.advanceTimersByTimeAsync(200);
    await two;
    expect(requests).toHaveLength(6);
  });

  it("shows each budget's limit, what is available and any wait in force, and logs pacing waits at debug", async () => {
    vi.useFakeTimers({ now: 13_000_000 });
    const lines: string[] = [];
    const { fetch } = stubFetch(() => json({}, 200, { "ratelimit-remaining": "3", "ratelimit-reset": "10" }));
    const gl = new GreenLake({ token: "t", fetch, env: {}, logger: { debug: (m: string) => lines.push(m) }, logLevel: "debug", pacing: { limits: { "GET /identity/v1/users": { requests: 2, windowSeconds: 1 } } } });
    const calls = Promise.all([gl.identity.GET("/identity/v1/users"), gl.identity.GET("/identity/v1/users"), gl.identity.GET("/identity/v1/users")]);
    await vi.advanceTimersByTimeAsync(2000);
    await calls;
    const [state] = gl.rateLimitState().filter((s) => s.budget === "workspace GET /identity/v1/users");
    expect(state).toMatchObject({ scope: "workspace", source: "option", requests: 2, windowSeconds: 1, serverRemaining: 3, shared: false });
    expect(lines.some((l) => /^Pacing: GET \/identity\/v1\/users waits \d+ ms for workspace GET \/identity\/v1\/users \(2 per 1 s\)/.test(l))).toBe(true);
  });

  it("rejects a malformed pacing option, naming it", () => {
    expect(() => new GreenLake({ token: "t", env: {}, pacing: { limits: { x: { requests: 0, windowSeconds: 1 } } } })).toThrow(/pacing\.limits\["x"\]/);
    expect(() => new GreenLake({ token: "t", env: {}, pacing: { margin: 2 } })).toThrow(/pacing\.margin/);
  });
});

/**
 * One retry policy: what is retried and after how long, for API calls, token
 * requests and polling; `retry: false` holds everywhere; a short token
 * lifetime costs at most one token request per lifetime.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { waitForAsyncOperation } from "../../src/async-operations.js";
import { CachedTokenSource } from "../../src/internal/auth.js";
import { silentLog } from "../../src/logging.js";
import { parseRetryAfter } from "../../src/internal/retry.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, json, WORKSPACE, type FixturePaths } from "./support/fixtures.js";
import { startLoopback } from "./support/loopback.js";

afterEach(() => {
  vi.useRealTimers();
});

const DELTA_SECONDS = /^\s*\d+(\.\d+)?\s*$/;
const HTTP_DATE = /^\s*[A-Za-z]{3},? /;

describe("Retry-After", () => {
  it("is a non-negative wait for delta-seconds or an HTTP date, and nothing (normal backoff) for anything else", () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer({ min: -100_000, max: 100_000 }).map(String),
      fc.double({ noNaN: false }).map(String),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
      fc.constantFrom("-1", "1e3", "0x10", " 5 ", "Infinity", "NaN", "2026-01-01", "-0", "+1"),
    );
    fc.assert(
      fc.property(value, (v) => {
        const ms = parseRetryAfter(v, Date.UTC(2026, 0, 1));
        if (ms === undefined) return;
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(ms)).toBe(true);
        expect(DELTA_SECONDS.test(v) || HTTP_DATE.test(v)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("retry: false", () => {
  it("makes one API request and at most one token request, whatever the issuer and the API answer", async () => {
    const statuses = fc.constantFrom(200, 401, 408, 429, 500, 502, 503, 504);
    await fc.assert(
      fc.asyncProperty(statuses, statuses, fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"), async (issuerStatus, apiStatus, method) => {
        let tokenRequests = 0;
        let apiRequests = 0;
        const server = await startLoopback((req, res) => {
          if (req.url?.includes("/token")) {
            tokenRequests++;
            res.writeHead(issuerStatus, { "content-type": "application/json" });
            return res.end(issuerStatus === 200 ? '{"access_token":"tok-retry-false","expires_in":900}' : '{"error":"busy"}');
          }
          apiRequests++;
          res.writeHead(apiStatus, { "content-type": "application/json", "retry-after": "0" });
          res.end("{}");
        });
        try {
          const client = createServiceClient<FixturePaths>(globalService, {
            clientId: "retry-false",
            clientSecret: "retry-false-secret",
            workspaceId: WORKSPACE,
            tokenUrl: `${server.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
            baseUrl: server.url,
            retry: false,
            env: {},
          });
          const call = client.request as (m: string, p: string, i?: unknown) => Promise<unknown>;
          await call(method, "/identity/v1/users", method === "GET" || method === "DELETE" ? {} : { body: {} }).catch(() => {});
          expect(tokenRequests).toBe(1);
          expect(apiRequests).toBe(issuerStatus === 200 ? 1 : 0);
        } finally {
          await server.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});

describe("token lifetime", () => {
  it("costs at most one token request per lifetime, however short, whatever the call pattern", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }),
        async (lifetimeS, gaps) => {
          vi.useFakeTimers({ now: 1_000_000 });
          let requests = 0;
          const source = new CachedTokenSource(async () => ({ accessToken: `t${++requests}`, expiresIn: lifetimeS }), silentLog);
          const start = Date.now();
          for (const gap of gaps) {
            vi.setSystemTime(Date.now() + gap);
            await source.token();
          }
          const elapsed = Date.now() - start;
          expect(requests).toBeLessThanOrEqual(Math.ceil(elapsed / (lifetimeS * 1000)) + 1);
          vi.useRealTimers();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("polling", () => {
  it("never polls faster than once a second, whatever interval the server suggests", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 0.001, 0.01, -1, Number.NaN, 0.5), fc.constantFrom(null, "0", "-1", "0.001"), async (suggested, retryAfter) => {
        vi.useFakeTimers();
        let polls = 0;
        const fetch = async () => {
          polls++;
          return json({ id: "op", status: "RUNNING", suggestedPollingIntervalSeconds: suggested }, 200, retryAfter === null ? {} : { "retry-after": retryAfter });
        };
        const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, env: {} });
        const waiting = waitForAsyncOperation(client, "/identity/v1/async-operations/op", { timeoutMs: 5000 }).catch(() => "ended");
        await vi.advanceTimersByTimeAsync(5500);
        expect(await waiting).toBe("ended");
        expect(polls).toBeLessThanOrEqual(6);
        vi.useRealTimers();
      }),
      { numRuns: 24 },
    );
  });
});

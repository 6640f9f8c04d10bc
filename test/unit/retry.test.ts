import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GreenLakeConnectionError } from "../../src/errors.js";
import { backoffDelay, isRetryableStatus, parseRetryAfter, retryInfoDelay, RETRY_INFO_TYPE } from "../../src/internal/retry.js";
import { createServiceClient } from "../../src/service-client.js";
import { captureError, captureLogger } from "./support/capture.js";
import { globalService, json, stubFetch, type FixturePaths, type RecordedRequest } from "./support/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

const fast = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5 };

function identity(handler: (r: RecordedRequest, i: number) => Response | Promise<Response>, extra: Record<string, unknown> = {}) {
  const stub = stubFetch(handler);
  const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch: stub.fetch, retry: fast, env: {}, ...extra });
  return { client, requests: stub.requests };
}

async function call(client: ReturnType<typeof identity>["client"], method: string) {
  return (client.request as (m: string, p: string, init?: unknown) => Promise<{ response: Response }>)(
    method,
    "/identity/v1/users",
    method === "GET" || method === "HEAD" || method === "DELETE" || method === "OPTIONS" ? {} : { body: { n: 1 } },
  );
}

const METHODS = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "POST", "PATCH"] as const;
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
const STATUSES = [400, 401, 403, 404, 408, 409, 422, 429, 500, 501, 502, 503, 504] as const;

describe("retry matrix", () => {
  const cases = METHODS.flatMap((m) => STATUSES.map((s) => [m, s] as const));
  it.each(cases)("%s answered %i", async (method, status) => {
    const retried = status === 429 || status === 503 || ([408, 500, 502, 504].includes(status) && IDEMPOTENT.has(method));
    expect(isRetryableStatus({ method }, status)).toBe(retried);
    const { client, requests } = identity(() => json({ message: "no" }, status), { token: "static" });
    const { response } = await call(client, method);
    expect(response.status).toBe(status);
    expect(requests).toHaveLength(retried ? fast.maxAttempts : 1);
  });

  it("stops retrying as soon as a call succeeds and re-sends the body intact", async () => {
    const { client, requests } = identity((_r, i) => (i < 2 ? json({}, 429) : json({ ok: 1 })));
    const { data } = await client.POST("/identity/v1/users", { body: { name: "ünïcode ✓", n: [1, 2] } });
    expect(data).toEqual({ ok: 1 });
    expect(requests.map((r) => r.body)).toEqual(Array(3).fill(JSON.stringify({ name: "ünïcode ✓", n: [1, 2] })));
    expect(requests.every((r) => r.headers.get("content-type") === "application/json")).toBe(true);
  });

  it("can be turned off", async () => {
    const { client, requests } = identity(() => json({}, 503), { retry: false });
    await call(client, "GET");
    expect(requests).toHaveLength(1);
  });
});

describe("waiting", () => {
  it("parses Retry-After as seconds and as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("reads errorDetails[].retryAfterSeconds of type hpe.greenlake.retry_info", () => {
    expect(retryInfoDelay({ errorDetails: [{ type: "other" }, { type: RETRY_INFO_TYPE, retryAfterSeconds: 4 }] })).toBe(4000);
    expect(retryInfoDelay({ errorDetails: [{ type: "other", retryAfterSeconds: 4 }] })).toBeUndefined();
    expect(retryInfoDelay("text")).toBeUndefined();
  });

  it("draws backoff uniformly below a doubling, capped ceiling", () => {
    expect(backoffDelay(1, 500, 20_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 20_000, () => 0.5)).toBe(1000);
    expect(backoffDelay(10, 500, 20_000, () => 0.999)).toBe(19_980);
    expect(backoffDelay(2, 500, 20_000, () => 0)).toBe(0);
  });

  const forms: [string, (now: number) => Response][] = [
    ["Retry-After seconds", () => json({}, 429, { "retry-after": "2" })],
    ["Retry-After date", (now) => json({}, 503, { "retry-after": new Date(now + 2000).toUTCString() })],
    ["errorDetails retryAfterSeconds", () => json({ httpStatusCode: 429, errorDetails: [{ type: RETRY_INFO_TYPE, retryAfterSeconds: 2 }] }, 429)],
  ];
  it.each(forms)("waits as long as %s asks", async (_name, first) => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse("2026-01-01T00:00:00Z"));
    const { logger, lines } = captureLogger();
    const { client, requests } = identity((_r, i) => (i === 0 ? first(Date.now()) : json({ ok: true })), {
      retry: { maxAttempts: 2, maxRetryAfterMs: 60_000 },
      logger,
      logLevel: "info",
    });
    const pending = client.GET("/identity/v1/users");
    await vi.advanceTimersByTimeAsync(1990);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20);
    const { data } = await pending;
    expect(data).toEqual({ ok: true });
    expect(requests).toHaveLength(2);
    expect(lines.some((l) => /retry 1 in 2000 ms/.test(l))).toBe(true);
  });

  it("caps a long server-requested wait", async () => {
    vi.useFakeTimers();
    const { client, requests } = identity((_r, i) => (i === 0 ? json({}, 429, { "retry-after": "3600" }) : json({})), {
      retry: { maxAttempts: 2, maxRetryAfterMs: 1000 },
    });
    const pending = client.GET("/identity/v1/users");
    await vi.advanceTimersByTimeAsync(1001);
    await pending;
    expect(requests).toHaveLength(2);
  });

  it("lets the caller's AbortSignal cancel a backoff wait", async () => {
    const controller = new AbortController();
    const { client, requests } = identity(() => {
      setTimeout(() => controller.abort(new Error("caller gave up")), 5);
      return json({}, 503, { "retry-after": "30" });
    }, { retry: { maxAttempts: 3, maxRetryAfterMs: 60_000 } });
    await expect(client.GET("/identity/v1/users", { signal: controller.signal })).rejects.toMatchObject({ name: "GreenLakeAbortedError", cause: { message: "caller gave up" } });
    expect(requests).toHaveLength(1);
  });
});

describe("lost connections", () => {
  async function resettingServer() {
    let hits = 0;
    const server = createServer((req) => {
      hits++;
      req.socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      hits: () => hits,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it("never replays a POST after a reset, and says so as a GreenLakeConnectionError", async () => {
    const server = await resettingServer();
    try {
      const client = createServiceClient<FixturePaths>(globalService, { token: "t", baseUrl: server.url, retry: fast, env: {} });
      const failure = captureError(await client.POST("/identity/v1/users", { body: { a: 1 } }).catch((e: unknown) => e));
      expect(failure).toBeInstanceOf(GreenLakeConnectionError);
      expect(failure).toMatchObject({ method: "POST", path: "/identity/v1/users" });
      expect(server.hits()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("retries a GET after a reset", async () => {
    const server = await resettingServer();
    try {
      const client = createServiceClient<FixturePaths>(globalService, { token: "t", baseUrl: server.url, retry: fast, env: {} });
      await expect(client.GET("/identity/v1/users")).rejects.toBeInstanceOf(GreenLakeConnectionError);
      expect(server.hits()).toBe(fast.maxAttempts);
    } finally {
      await server.close();
    }
  });

  it("never replays a POST after a 500", async () => {
    const { client, requests } = identity(() => json({}, 500));
    const { response } = await client.POST("/identity/v1/users", { body: {} });
    expect(response.status).toBe(500);
    expect(requests).toHaveLength(1);
  });
});

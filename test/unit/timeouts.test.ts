import { afterEach, describe, expect, it, vi } from "vitest";
import { GreenLakeTimeoutError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { AttemptDeadline, sleep } from "../../src/internal/timeouts.js";
import { captureError } from "./support/capture.js";
import { globalService, json, type FixturePaths } from "./support/fixtures.js";

/** A fetch that answers only after `delays[i]` ms, honouring the request's signal. */
function slowFetch(delays: number[]) {
  const seen: Request[] = [];
  const fetch = (request: Request) =>
    new Promise<Response>((resolve, reject) => {
      const i = seen.push(request) - 1;
      const timer = setTimeout(() => resolve(json({ attempt: i })), delays[i] ?? 0);
      request.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(request.signal.reason);
      });
    });
  return { fetch, seen };
}

describe("per-attempt timeouts", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fails a call whose attempt exceeds timeoutMs", async () => {
    const { fetch, seen } = slowFetch([10_000]);
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, timeoutMs: 20, retry: false, env: {} });
    const error = captureError(await client.GET("/identity/v1/users").catch((e: unknown) => e));
    expect(error).toBeInstanceOf(GreenLakeTimeoutError);
    expect(error).toMatchObject({ method: "GET", path: "/identity/v1/users" });
    expect((error as Error).message).toContain("got no response for 20 ms");
    expect(seen).toHaveLength(1);
  });

  it("takes a per-call timeoutMs", async () => {
    const { fetch } = slowFetch([10_000]);
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, timeoutMs: 0, retry: false, env: {} });
    await expect(client.GET("/identity/v1/users", { timeoutMs: 10 })).rejects.toBeInstanceOf(GreenLakeTimeoutError);
  });

  it("gives each attempt its own time limit, so a retry can succeed", async () => {
    // On the fake clock: the second attempt's answer 19 ms in comes before its 20 ms limit however busy the machine.
    vi.useFakeTimers();
    const { fetch, seen } = slowFetch([10_000, 19]);
    const client = createServiceClient<FixturePaths>(globalService, {
      token: "t",
      fetch,
      timeoutMs: 20,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      env: {},
    });
    const call = client.GET("/identity/v1/users");
    await vi.runAllTimersAsync();
    const { data } = await call;
    expect(data).toEqual({ attempt: 1 });
    expect(seen).toHaveLength(2);
  });

  it("does not retry a timed-out POST", async () => {
    const { fetch, seen } = slowFetch([10_000, 1]);
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, timeoutMs: 20, retry: { maxAttempts: 3, baseDelayMs: 1 }, env: {} });
    await expect(client.POST("/identity/v1/users", { body: {} })).rejects.toBeInstanceOf(GreenLakeTimeoutError);
    expect(seen).toHaveLength(1);
  });

  it("lets the caller's signal end an attempt early, with the caller's reason and no retry", async () => {
    const { fetch, seen } = slowFetch([10_000]);
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, timeoutMs: 60_000, env: {} });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user cancelled")), 10);
    await expect(client.GET("/identity/v1/users", { signal: controller.signal })).rejects.toMatchObject({ name: "GreenLakeAbortedError", cause: { message: "user cancelled" } });
    expect(seen).toHaveLength(1);
  });

  it("joins the caller's signal and the limit", () => {
    const caller = new AbortController();
    const joined = new AttemptDeadline(caller.signal, 60_000);
    expect(joined.signal?.aborted).toBe(false);
    caller.abort(new Error("x"));
    expect(joined.signal?.aborted).toBe(true);
    expect(joined.timedOut).toBe(false);
    expect(joined.callerAborted).toBe(true);
    joined.clear();
    expect(new AttemptDeadline(undefined, 0).signal).toBeUndefined();
  });

  it("sleeps until aborted", async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error("woken"));
    await expect(pending).rejects.toThrow("woken");
    await expect(sleep(1, AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
  });
});

describe("timeouts with the platform fetch", () => {
  it("aborts a hung request to a loopback server and retries it on a fresh attempt", async () => {
    const { createServer } = await import("node:http");
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      if (hits === 1) return; // never answers
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as import("node:net").AddressInfo;
    try {
      // The answered attempt must beat the limit on a real socket: a loopback round trip takes a few ms, so 1 s
      // holds on a machine a hundred times slower (50 ms did not, on a loaded one).
      const client = createServiceClient<FixturePaths>(globalService, {
        token: "t",
        baseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 1_000,
        retry: { maxAttempts: 2, baseDelayMs: 1 },
        env: {},
      });
      const { data } = await client.GET("/identity/v1/users");
      expect(data).toEqual({ ok: true });
      expect(hits).toBe(2);
      const noRetry = createServiceClient<FixturePaths>(globalService, { token: "t", baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 1_000, retry: false, env: {} });
      hits = 0;
      await expect(noRetry.GET("/identity/v1/users")).rejects.toBeInstanceOf(GreenLakeTimeoutError);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("attempt deadlines", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fires only after timeoutMs without progress, however long the attempt runs while making progress", () => {
    vi.useFakeTimers();
    const deadline = new AttemptDeadline(undefined, 1000);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(900);
      deadline.progress();
    }
    expect(deadline.signal?.aborted).toBe(false);
    vi.advanceTimersByTime(999);
    expect(deadline.signal?.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal?.aborted).toBe(true);
    expect(deadline.timedOut).toBe(true);
  });
});

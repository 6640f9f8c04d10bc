/**
 * An abort during a wait a poll answer asked for (`Retry-After`, however long) ends the wait at once with the
 * caller's reason, and leaves no timer behind to keep the process alive.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { waitForAsyncOperation, waitForComJob } from "../../src/async-operations.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, regionalService, stubFetch, type FixturePaths } from "./support/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

describe.each(["job", "async-operation"] as const)("abort while a %s poll waits on Retry-After", (kind) => {
  it.each(["3600", "999999999", new Date(Date.UTC(2099, 0, 1)).toUTCString()])("Retry-After %s: ends at once, no timer left", async (retryAfter) => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 5, 9, 0, 0) });
    let polls = 0;
    const controller = new AbortController();
    const { fetch } = stubFetch(() => {
      polls++;
      return kind === "job"
        ? json({ id: "job-1", state: "RUNNING" }, 200, { "retry-after": retryAfter })
        : json({ id: "op-1", status: "RUNNING" }, 200, { "retry-after": retryAfter });
    });
    const client = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch, retry: false, env: {} });
    const options = { signal: controller.signal, maxPollIntervalMs: Number.POSITIVE_INFINITY, timeoutMs: 1e13 };
    const waiting = kind === "job" ? waitForComJob(client, "job-1", options) : waitForAsyncOperation(client, "/compute-ops-mgmt/v1/async-operations/op-1", options);
    const settled = waiting.then(
      () => "resolved",
      (error: unknown) => error,
    );
    // The first poll is answered and its wait has begun (no time passes on the fake clock meanwhile).
    for (let turn = 0; turn < 100 && (polls === 0 || vi.getTimerCount() === 0); turn++) await vi.advanceTimersByTimeAsync(0);
    expect([polls, vi.getTimerCount()]).toEqual([1, 1]);
    const reason = new Error("interrupted");
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(polls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

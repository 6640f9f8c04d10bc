import { afterEach, describe, expect, it, vi } from "vitest";
import { runComJob, waitForAsyncOperation, waitForComJob } from "../../src/async-operations.js";
import { GreenLakeError, GreenLakeOperationError, GreenLakeTimeoutError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { captureError } from "./support/capture.js";
import { json, regionalService, stubFetch, type FixturePaths, type RecordedRequest } from "./support/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

function com(handler: (r: RecordedRequest, i: number) => Response | Promise<Response>) {
  const stub = stubFetch(handler);
  const client = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch: stub.fetch, retry: false, env: {} });
  return { client, requests: stub.requests };
}

const accepted = (location: string) => new Response(null, { status: 202, headers: { location } });

describe("waitForAsyncOperation", () => {
  it("follows Location on the client's own host and waits the suggested interval", async () => {
    vi.useFakeTimers();
    const states = ["INITIALIZED", "RUNNING", "SUCCEEDED"];
    const { client, requests } = com((_r, i) =>
      json({ id: "op+1", status: states[i], suggestedPollingIntervalSeconds: 2, result: i === 2 ? { added: 3 } : null }),
    );
    const pending = waitForAsyncOperation(client, accepted("https://elsewhere.example.com/devices/v1/async-operations/op+1?x=a+b"));
    await vi.advanceTimersByTimeAsync(1999);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2001);
    await vi.advanceTimersByTimeAsync(2001);
    const done = await pending;
    expect(done).toMatchObject({ status: "SUCCEEDED", result: { added: 3 } });
    expect(requests).toHaveLength(3);
    expect(requests[0]!.url).toBe("https://us-west.api.greenlake.hpe.com/devices/v1/async-operations/op%2B1?x=a%2Bb");
    expect(requests.every((r) => r.method === "GET" && r.headers.get("authorization") === "Bearer t")).toBe(true);
  });

  it("polls the region whose GreenLake server the Location names", async () => {
    const { client, requests } = com(() => json({ id: "r", status: "SUCCEEDED" }));
    await waitForAsyncOperation(client, accepted("https://eu-central.api.greenlake.hpe.com/devices/v1/async-operations/r"));
    expect(requests[0]!.url).toBe("https://eu-central.api.greenlake.hpe.com/devices/v1/async-operations/r");
  });

  it("reads Compute Ops Management's `state` and throws the failed operation's error", async () => {
    const { client } = com(() =>
      json({ id: "a1", state: "FAILED", error: { errorCode: "HPE-GL-COMPUTE_OPS-0500001", message: "firmware update failed", debugId: "d" } }),
    );
    const failure = captureError(await waitForAsyncOperation(client, "/compute-ops-mgmt/v1/async-operations/a1").catch((e: unknown) => e));
    expect(failure).toBeInstanceOf(GreenLakeOperationError);
    expect((failure as Error).message).toContain("a1");
    expect((failure as Error).message).toContain("firmware update failed");
    expect((failure as GreenLakeOperationError).resource).toMatchObject({ state: "FAILED" });
  });

  it.each(["TIMEDOUT", "CANCELLED"])("treats %s as a failure", async (state) => {
    const { client } = com(() => json({ id: "a2", status: state }));
    await expect(waitForAsyncOperation(client, "/devices/v1/async-operations/a2")).rejects.toBeInstanceOf(GreenLakeOperationError);
  });

  it("gives up after timeoutMs", async () => {
    // On the fake clock, so the polls within the 40 ms do not depend on how fast the machine answers.
    vi.useFakeTimers();
    const { client, requests } = com(() => json({ id: "slow", status: "RUNNING" }));
    const waiting = waitForAsyncOperation(client, "/devices/v1/async-operations/slow", { timeoutMs: 40, pollIntervalMs: 5 }).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const failure = captureError(await waiting);
    expect(failure).toBeInstanceOf(GreenLakeTimeoutError);
    expect((failure as Error).message).toMatch(/slow \(state RUNNING\) did not finish within 40 ms/);
    expect(requests.length).toBeGreaterThan(1);
  });

  it("waits the fallback interval when Retry-After asks for no wait (0, or a date already past)", async () => {
    vi.useFakeTimers();
    const retryAfter = ["0", "Mon, 01 Jan 2001 00:00:00 GMT"];
    const { client, requests } = com((_r, i) =>
      i < 2 ? json({ status: "RUNNING" }, 200, { "retry-after": retryAfter[i]! }) : json({ status: "SUCCEEDED" }),
    );
    const pending = waitForAsyncOperation(client, "/devices/v1/async-operations/x", { pollIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toMatchObject({ status: "SUCCEEDED" });
  });

  it("stops waiting when the caller aborts", async () => {
    const controller = new AbortController();
    const { client, requests } = com(() => {
      setTimeout(() => controller.abort(new Error("stop")), 5);
      return json({ status: "RUNNING", suggestedPollingIntervalSeconds: 30 });
    });
    await expect(waitForAsyncOperation(client, "/devices/v1/async-operations/x", { signal: controller.signal })).rejects.toThrow("stop");
    expect(requests).toHaveLength(1);
  });

  it("explains a response that is not an accepted async call", async () => {
    const { client } = com(() => json({}));
    await expect(waitForAsyncOperation(client, json({ id: 1 }, 200))).rejects.toThrow(/No Location header.*not 202/);
  });

  it("surfaces a failing poll as a GreenLakeError", async () => {
    const { client } = com(() => json({ httpStatusCode: 404, errorCode: "E404", message: "expired", debugId: "q" }, 404));
    await expect(waitForAsyncOperation(client, "/devices/v1/async-operations/gone")).rejects.toMatchObject({ status: 404, errorCode: "E404" });
  });
});

describe("Compute Ops Management jobs", () => {
  it("creates a job and waits until COMPLETE", async () => {
    const states = ["PENDING", "RUNNING", "COMPLETE"];
    let polls = 0;
    const { client, requests } = com((r) =>
      r.method === "POST" ? json({ id: "job-1", state: "PENDING" }, 201) : json({ id: "job-1", state: states[polls++], resultCode: "SUCCESS" }),
    );
    const job = await runComJob(client, { jobTemplate: "tmpl", resourceId: "srv", resourceType: "compute-ops-mgmt/server" }, { pollIntervalMs: 1, minPollIntervalMs: 1 });
    expect(job).toMatchObject({ id: "job-1", state: "COMPLETE", resultCode: "SUCCESS" });
    expect(requests[0]).toMatchObject({ method: "POST", url: "https://us-west.api.greenlake.hpe.com/compute-ops-mgmt/v1/jobs" });
    expect(JSON.parse(requests[0]!.body)).toMatchObject({ jobTemplate: "tmpl" });
    expect(requests.slice(1).map((r) => new URL(r.url).pathname)).toEqual(Array(3).fill("/compute-ops-mgmt/v1/jobs/job-1"));
  });

  it.each(["ERROR", "STALLED"])("throws when the job ends %s", async (state) => {
    const { client } = com(() => json({ id: "job-2", state }));
    const failure = await waitForComJob(client, "job-2", { pollIntervalMs: 1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GreenLakeOperationError);
    expect((failure as Error).message).toContain(`state ${state}`);
  });

  it("reports a rejected job creation", async () => {
    const { client } = com(() => json({ httpStatusCode: 400, errorCode: "BAD", message: "bad template", debugId: "z" }, 400));
    await expect(runComJob(client, {})).rejects.toBeInstanceOf(GreenLakeError);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, json, stubFetch, type FixturePaths } from "./support/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("client-side rate limit", () => {
  it("spaces requests evenly at the configured rate", async () => {
    vi.useFakeTimers();
    const { fetch, requests } = stubFetch(() => json({}));
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, rateLimit: { requestsPerMinute: 600 }, env: {} });
    const calls = Promise.all(Array.from({ length: 4 }, () => client.GET("/identity/v1/users")));
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(99);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(201);
    expect(requests).toHaveLength(4);
    await calls;
  });

  it("starts immediately when under the rate", async () => {
    vi.useFakeTimers();
    const { fetch, requests } = stubFetch(() => json({}));
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, rateLimit: { requestsPerMinute: 60 }, env: {} });
    await client.GET("/identity/v1/users");
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    await client.GET("/identity/v1/users");
    expect(requests).toHaveLength(2);
    void client.GET("/identity/v1/users");
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
  });

  it("lets the caller abort a wait for a slot", async () => {
    const { fetch } = stubFetch(() => json({}));
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, rateLimit: { requestsPerMinute: 1 }, env: {} });
    await client.GET("/identity/v1/users");
    const controller = new AbortController();
    const wait = client.GET("/identity/v1/users", { signal: controller.signal });
    controller.abort(new Error("not waiting a minute"));
    await expect(wait).rejects.toMatchObject({ cause: { message: "not waiting a minute" } });
  });
});

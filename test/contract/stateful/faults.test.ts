/**
 * Faults on cue, as a client meets them on the wire: scripted per operation
 * or globally, and each one ends where the mocks say it does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GreenLake, GreenLakeAuthError, unwrap } from "../../../src/index.js";
import { type Mocks } from "../../../src/testing/index.js";
import { startSharedMocks } from "../support/shared-prism.js";

let mocks: Mocks;
let token: string;
beforeAll(async () => {
  mocks = await startSharedMocks({ services: ["identity", "device-management"] });
});
beforeEach(async () => {
  mocks.reset();
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: mocks.credentials.clientId, client_secret: mocks.credentials.clientSecret });
  const answer = await fetch(mocks.tokenUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
  token = ((await answer.json()) as { access_token: string }).access_token;
});
afterAll(() => mocks?.stop());

const usersUrl = () => `${mocks.baseUrl}/identity/v1/users?limit=2`;
const call = (url = usersUrl(), init: RequestInit = {}) => fetch(url, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

describe("faults on cue", () => {
  it("429 with Retry-After in the header, or retryAfterSeconds in the body; only for the scripted operation and count", async () => {
    mocks.faults.tooManyRequests({ operation: "GET /identity/v1/users", retryAfterSeconds: 7 });
    mocks.faults.tooManyRequests({ operation: "GET /identity/v1/users", retryAfterSeconds: 3, retryAfterIn: "body" });
    const first = await call();
    expect([first.status, first.headers.get("retry-after")]).toEqual([429, "7"]);
    const second = await call();
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBeNull();
    expect(((await second.json()) as { retryAfterSeconds: number }).retryAfterSeconds).toBe(3);
    expect((await call()).status).toBe(200);
  });

  it("503 for any operation when scripted without one", async () => {
    mocks.faults.add({ fault: { kind: "503", retryAfterSeconds: 2 }, times: 2 });
    expect((await call()).status).toBe(503);
    expect((await call(`${mocks.baseUrl}/devices/v1/devices`)).status).toBe(503);
    expect((await call()).status).toBe(200);
  });

  it("a reset before processing changes nothing; a reset after processing keeps the change", async () => {
    const before = mocks.state.collection("/identity/v1/users").length;
    const invite = (email: string) =>
      call(`${mocks.baseUrl}/identity/v1/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, sendWelcomeEmail: false }) });
    mocks.faults.add({ operation: "POST /identity/v1/users", fault: { kind: "reset", when: "before" } });
    await expect(invite("mei.chen@example.com")).rejects.toThrow();
    expect(mocks.state.collection("/identity/v1/users").length).toBe(before);
    mocks.faults.add({ operation: "POST /identity/v1/users", fault: { kind: "reset", when: "after" } });
    await expect(invite("mei.chen@example.com")).rejects.toThrow();
    expect(mocks.state.collection("/identity/v1/users").some((u) => u.username === "mei.chen@example.com")).toBe(true);
  });

  it("a slow body arrives whole; a stalled one never does", async () => {
    mocks.faults.add({ fault: { kind: "slow", delayMs: 300 } });
    const slow = await call();
    expect(((await slow.json()) as { items: unknown[] }).items).toHaveLength(2);
    mocks.faults.add({ fault: { kind: "stall" } });
    const stalled = await call(usersUrl(), { signal: AbortSignal.timeout(500) });
    expect(stalled.status).toBe(200);
    await expect(stalled.text()).rejects.toThrow();
  });

  it("an expired or revoked token gets 401, and the SDK fetches a new one and replays the call", async () => {
    const gl = new GreenLake(mocks.clientOptions({ throwOnError: true }));
    const grantsBefore = mocks.tokenStats.clientCredentialsGrants;
    await unwrap(gl.identity.GET("/identity/v1/users", { params: { query: { limit: 1 } } }));
    mocks.faults.add({ fault: { kind: "expire-token" } });
    await unwrap(gl.identity.GET("/identity/v1/users", { params: { query: { limit: 1 } } }));
    mocks.faults.add({ fault: { kind: "revoke-tokens" } });
    await unwrap(gl.identity.GET("/identity/v1/users", { params: { query: { limit: 1 } } }));
    expect(mocks.calls.map((c) => c.status)).toEqual([200, 401, 200, 401, 200]);
    expect(mocks.tokenStats.clientCredentialsGrants - grantsBefore).toBe(3);
    const noRetry = new GreenLake(mocks.clientOptions({ throwOnError: true, token }));
    mocks.faults.add({ fault: { kind: "revoke-tokens" } });
    await expect(noRetry.identity.GET("/identity/v1/users")).rejects.toBeInstanceOf(GreenLakeAuthError);
  });

  it("enforces a scripted rate limit with ratelimit-* headers", async () => {
    mocks.faults.rateLimit({ operation: "GET /identity/v1/users", limit: 2, windowMs: 60_000 });
    const answers = [await call(), await call(), await call()];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers.map((a) => a.headers.get("ratelimit-remaining"))).toEqual(["1", "0", "0"]);
    expect(answers[2]!.headers.get("ratelimit-limit")).toBe("2");
    expect(Number(answers[2]!.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("enforces the rate limits the documents state, when asked to", async () => {
    const devices = `${mocks.baseUrl}/devices/v1/devices`;
    expect((await call(devices)).headers.get("ratelimit-limit")).toBeNull();
    mocks.faults.documentedRateLimits();
    const answer = await call(devices);
    // device-management states "160 requests per minute" for GET /devices/v1/devices.
    expect([answer.headers.get("ratelimit-limit"), answer.headers.get("ratelimit-remaining")]).toEqual(["160", "159"]);
  });
});

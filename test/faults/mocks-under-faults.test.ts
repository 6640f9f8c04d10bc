/**
 * A guide scenario through the fault proxy placed in front of the Prism mocks
 * and their token issuer: the issuer goes down for a while, the API answers
 * with a seeded mix of refusals and dropped connections.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLake, GreenLakeError } from "../../src/index.js";
import { startMocks, type Mocks } from "../../src/testing/index.js";
import { actAsTenant } from "../../examples/msp-tenant.js";
import { manageUsers } from "../../examples/users.js";
import { recordingNarrator } from "../../examples/support/narrator.js";
import { startFaultProxy, type Fault, type FaultProxy } from "./fault-proxy.js";
import { seededFaultPlan } from "./fault-plan.js";
import { collectOutput, type CollectedOutput } from "./output.js";

const isTokenRequest = (url: string) => /\/token(\?|$)/.test(url) || url.startsWith("/as/token.oauth2");

describe("guide scenarios through faults in front of the mocks", () => {
  let mocks: Mocks;
  let proxy: FaultProxy;
  let output: CollectedOutput;
  let issuerDown: Fault | undefined;
  const apiFaults = seededFaultPlan({
    seed: 8_693,
    rate: 0.35,
    faults: [
      { kind: "status", status: 429, retryAfterSeconds: 1 },
      { kind: "status", status: 503 },
      { kind: "reset-before-send" },
    ],
    maxConsecutive: 2,
    budget: 30,
    // Only what the client may safely repeat: refusals, and drops of idempotent calls.
    applies: (r) => !isTokenRequest(r.url) && r.method !== "POST",
  });

  beforeAll(async () => {
    output = collectOutput();
    mocks = await startMocks({ services: ["workspace", "identity"] });
    proxy = await startFaultProxy({
      target: mocks.baseUrl,
      choose: (request) => (isTokenRequest(request.url) ? issuerDown : apiFaults.choose(request)),
    });
  });
  afterAll(async () => {
    output?.restore();
    await proxy?.stop();
    await mocks?.stop();
  });

  function client(): GreenLake {
    const tokenPath = new URL(mocks.tokenUrl).pathname;
    return new GreenLake(
      mocks.clientOptions({
        baseUrl: proxy.url,
        tokenUrl: `${proxy.url}${tokenPath}`,
        throwOnError: true,
        // No fault here is slow, so the limit is not what this tests: Prism's slowest answer takes up to ~200 ms on
        // a busy machine (a 50 ms limit fails the scenario), and a timed-out POST is rightly not repeated.
        timeoutMs: 10_000,
        retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 20 },
        logger: output.logger,
        logLevel: "debug",
      }),
    );
  }

  it("surfaces a typed error while the issuer is down, then runs the MSP and users scenarios once it is back", async () => {
    const gl = client();
    issuerDown = { kind: "status", status: 503 };
    const failure = await gl.identity.GET("/identity/v1/users").then(
      () => undefined,
      (error: unknown) => error,
    );
    output.record(failure);
    expect(failure).toBeInstanceOf(GreenLakeError);
    expect((failure as Error).constructor).not.toBe(GreenLakeError);
    expect((failure as Error).message).toMatch(/token/i);

    issuerDown = undefined;
    // The MSP exchange goes through the proxy too: the tenant's issuer is the same front door.
    const tenant = await actAsTenant(gl, recordingNarrator());
    expect(tenant.tenantUsers).toBeGreaterThan(0);
    const users = await manageUsers(gl, recordingNarrator(), { email: "fault.tolerant@example.com" });
    expect(users.userId).toMatch(/^[0-9a-f-]{36}$/);

    // Faults were injected on the way, and each retried call reached the mock once it got through.
    const injected = apiFaults.injected();
    expect(Object.values(injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const tokenCalls = proxy.exchanges.filter((e) => isTokenRequest(e.url));
    expect(tokenCalls.some((e) => e.body.includes("token-exchange"))).toBe(true);
  });

  it("writes neither the client secret nor any token to logs or error messages", () => {
    const texts = output.texts();
    expect(texts.length).toBeGreaterThan(5);
    const leaks = texts.filter((t) => t.includes(mocks.credentials.clientSecret) || /Bearer [A-Za-z0-9._-]{16,}/.test(t));
    expect(leaks).toEqual([]);
  });
});

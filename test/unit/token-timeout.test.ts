import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GreenLakeTimeoutError } from "../../src/errors.js";
import { createRuntime } from "../../src/internal/runtime.js";
import { SECRET, startTokenServer, uniqueClientId, WORKSPACE, type TokenServer } from "./support/fixtures.js";

let issuer: TokenServer;
beforeEach(async () => {
  issuer = await startTokenServer();
  // Every answer comes late: later than a short timeoutMs allows.
  issuer.respond((_form, index) => ({ status: 200, body: { access_token: `late-${index}-${Math.random()}`, expires_in: 900 }, delayMs: 400 }));
});
afterEach(() => issuer.close());

function tokenOf(timeoutMs: number): Promise<string> {
  const runtime = createRuntime({
    clientId: uniqueClientId(),
    clientSecret: SECRET,
    workspaceId: WORKSPACE,
    tokenUrl: `${issuer.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
    timeoutMs,
    env: {},
  });
  return Promise.resolve(runtime.auth.token());
}

describe("token requests", () => {
  it("give up after the client's timeoutMs, on every attempt", async () => {
    // Each attempt must reach the issuer before its limit for the count below to hold. First a token, so the token
    // client's modules are loaded whatever ran before in this worker; then a limit no loopback request comes near even
    // on a busy machine (with 1 ms only one attempt of three arrived), and answers five times later still.
    expect(await tokenOf(0)).toMatch(/^late-0-/);
    issuer.respond((_form, index) => ({ status: 200, body: { access_token: `later-${index}-${Math.random()}`, expires_in: 900 }, delayMs: 2_500 }));
    const before = issuer.requests.length;
    const error = await tokenOf(500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GreenLakeTimeoutError);
    expect((error as Error).message).toBe(`Token request at 127.0.0.1:${new URL(issuer.url).port}/authorization/v2/oauth2/${WORKSPACE}/token got no answer within 500 ms (timeoutMs). Check the issuer URL and the network.`);
    // The issuer reads the last attempt's request in its own turn, which can come after the client gave up on it.
    await vi.waitFor(() => expect(issuer.requests.length - before).toBe(3), { timeout: 30_000 });
  });

  it("wait as long as the issuer takes when timeoutMs is 0, and within a longer timeoutMs", async () => {
    expect(await tokenOf(0)).toMatch(/^late-0-/);
    expect(await tokenOf(10_000)).toMatch(/^late-1-/);
    expect(issuer.requests).toHaveLength(2);
  });
});

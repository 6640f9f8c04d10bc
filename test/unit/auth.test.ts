import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { tokenExchangeSource, TOKEN_EXCHANGE_GRANT, ACCESS_TOKEN_TYPE } from "../../src/internal/auth.js";
import { GreenLakeAuthError } from "../../src/errors.js";
import { createRuntime } from "../../src/internal/runtime.js";
import { buildServiceClient, createServiceClient } from "../../src/service-client.js";
import { type FixturePaths, globalService, json, SECRET, startTokenServer, stubFetch, uniqueClientId, WORKSPACE, type TokenServer } from "./support/fixtures.js";
import { captureLogger } from "./support/capture.js";

let issuer: TokenServer;
beforeEach(async () => {
  issuer = await startTokenServer();
});
afterEach(async () => {
  vi.useRealTimers();
  await issuer.close();
});

const workspaceTokenUrl = () => `${issuer.url}/authorization/v2/oauth2/${WORKSPACE}/token`;

function identity(fetch: (r: Request) => Promise<Response>, extra: Record<string, unknown> = {}) {
  return createServiceClient<FixturePaths>(globalService, {
    clientId: uniqueClientId(),
    clientSecret: SECRET,
    workspaceId: WORKSPACE,
    tokenUrl: workspaceTokenUrl(),
    fetch,
    retry: false,
    env: {},
    ...extra,
  });
}

describe("client credentials", () => {
  it("makes exactly one token request for 200 concurrent cold calls", async () => {
    issuer.respond((_f, i) => ({ status: 200, body: { access_token: `cold-${i}`, expires_in: 900 }, delayMs: 50 }));
    const { fetch, requests } = stubFetch(() => json({ items: [] }));
    const client = identity(fetch);
    const results = await Promise.all(Array.from({ length: 200 }, () => client.GET("/identity/v1/users")));
    expect(results.every((r) => r.response.status === 200)).toBe(true);
    expect(issuer.requests).toHaveLength(1);
    expect(requests).toHaveLength(200);
    expect(new Set(requests.map((r) => r.headers.get("authorization")))).toEqual(new Set(["Bearer cold-0"]));
  });

  it("sends the client id and secret in the form body to the workspace issuer", async () => {
    const { fetch } = stubFetch(() => json({}));
    const client = identity(fetch);
    await client.GET("/identity/v1/users");
    const [req] = issuer.requests;
    expect(req?.path).toBe(`/authorization/v2/oauth2/${WORKSPACE}/token`);
    expect(req?.form.get("grant_type")).toBe("client_credentials");
    expect(req?.form.get("client_secret")).toBe(SECRET);
    expect(req?.headers.authorization).toBeUndefined();
  });

  it("uses HTTP Basic for the SSO issuer form", async () => {
    const { fetch } = stubFetch(() => json({}));
    const clientId = uniqueClientId();
    const client = identity(fetch, { clientId, tokenUrl: `${issuer.url}/as/token.oauth2`, workspaceId: undefined });
    await client.GET("/identity/v1/users");
    const [req] = issuer.requests;
    expect(req?.path).toBe("/as/token.oauth2");
    expect(req?.form.get("client_secret")).toBeNull();
    const basic = Buffer.from(String(req?.headers.authorization).replace(/^Basic /, ""), "base64").toString();
    expect(decodeURIComponent(basic)).toBe(`${clientId}:${SECRET}`);
  });

  it("resolves async credential providers when the token is first needed", async () => {
    const { fetch, requests } = stubFetch(() => json({}));
    const id = uniqueClientId();
    const client = identity(fetch, { clientId: async () => id, clientSecret: async () => SECRET, workspaceId: async () => WORKSPACE.toUpperCase() });
    await client.GET("/identity/v1/users");
    expect(issuer.requests[0]?.form.get("client_id")).toBe(id);
    expect(requests[0]?.headers.get("authorization")).toMatch(/^Bearer tok-0-/);
  });

  it("refreshes ahead of expiry while serving the still-valid token", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2026-01-01T00:00:00Z").getTime();
    vi.setSystemTime(start);
    issuer.respond((_f, i) => ({ status: 200, body: { access_token: `gen-${i}`, expires_in: 900 } }));
    const { fetch, requests } = stubFetch(() => json({}));
    const client = identity(fetch);
    await client.GET("/identity/v1/users");
    vi.setSystemTime(start + 10 * 60_000); // fresh: no new request
    await client.GET("/identity/v1/users");
    expect(issuer.requests).toHaveLength(1);
    vi.setSystemTime(start + 13 * 60_000); // inside the refresh window, before expiry
    await client.GET("/identity/v1/users");
    // Limits for a hang only: the background refresh goes over a real socket, which a busy machine can hold up for seconds.
    await vi.waitFor(() => expect(issuer.requests).toHaveLength(2), { timeout: 30_000 });
    await vi.waitFor(async () => {
      await client.GET("/identity/v1/users");
      expect(requests.at(-1)?.headers.get("authorization")).toBe("Bearer gen-1");
    }, { timeout: 30_000 });
    expect(requests[2]?.headers.get("authorization")).toBe("Bearer gen-0");
    vi.setSystemTime(start + 40 * 60_000); // both expired: callers wait for a new one
    await client.GET("/identity/v1/users");
    expect(requests.at(-1)?.headers.get("authorization")).toBe("Bearer gen-2");
  });

  it("keeps the valid token when a refresh ahead of expiry fails, and retries the refresh later", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2026-01-01T00:00:00Z").getTime();
    vi.setSystemTime(start);
    issuer.respond((_f, i) => (i === 0 ? { status: 200, body: { access_token: "first-0", expires_in: 900 } } : { status: 401, body: { error: "invalid_client" } }));
    const { fetch, requests } = stubFetch(() => json({}));
    const { logger, lines } = captureLogger();
    const client = identity(fetch, { logger, logLevel: "warn" });
    await client.GET("/identity/v1/users");
    vi.setSystemTime(start + 13 * 60_000);
    await client.GET("/identity/v1/users");
    // Wait for the failed refresh to be handled (not a fixed time): on a busy machine its answer can take longer
    // than any short sleep, and a refresh failing after the clock moves on below would push the next try too late.
    await vi.waitFor(() => expect(lines.filter((l) => l.includes("Token refresh ahead of expiry failed"))).toHaveLength(1), { timeout: 30_000 });
    expect(issuer.requests).toHaveLength(2);
    for (let i = 0; i < 5; i++) await client.GET("/identity/v1/users");
    expect(issuer.requests).toHaveLength(2);
    expect(requests.every((r) => r.headers.get("authorization") === "Bearer first-0")).toBe(true);
    vi.setSystemTime(start + 13 * 60_000 + 11_000);
    await client.GET("/identity/v1/users");
    await vi.waitFor(() => expect(issuer.requests).toHaveLength(3), { timeout: 30_000 });
  });

  it("replays a call once with a new token after a 401, then surfaces the 401", async () => {
    issuer.respond((_f, i) => ({ status: 200, body: { access_token: `t401-${i}`, expires_in: 900 } }));
    const { fetch, requests } = stubFetch(() => json({ httpStatusCode: 401, errorCode: "HPE-GL-401", message: "expired", debugId: "d1" }, 401));
    const client = identity(fetch, { retry: { maxAttempts: 1 } });
    const { error, response } = await client.GET("/identity/v1/users");
    expect(response.status).toBe(401);
    expect(error).toMatchObject({ errorCode: "HPE-GL-401" });
    expect(requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer t401-0", "Bearer t401-1"]);
    expect(issuer.requests).toHaveLength(2);
  });

  it("recovers when the replay after a 401 succeeds", async () => {
    const { fetch, requests } = stubFetch((_r, i) => (i === 0 ? json({}, 401) : json({ ok: true })));
    const client = identity(fetch, { retry: { maxAttempts: 1 } });
    const { data } = await client.POST("/identity/v1/users", { body: { name: "a" } });
    expect(data).toEqual({ ok: true });
    expect(requests.map((r) => r.body)).toEqual(['{"name":"a"}', '{"name":"a"}']);
  });

  it("retries an overloaded issuer but not a rejection", async () => {
    issuer.respond((_f, i) => (i < 2 ? { status: 503, body: { error: "busy" } } : { status: 200, body: { access_token: `late-${i}`, expires_in: 900 } }));
    const { fetch, requests } = stubFetch(() => json({}));
    await identity(fetch, { retry: { maxAttempts: 3, baseDelayMs: 1 } }).GET("/identity/v1/users");
    expect(issuer.requests).toHaveLength(3);
    expect(requests[0]?.headers.get("authorization")).toBe("Bearer late-2");
  });

  it("gives each client its own token, so one client's secret or logger never serves another", async () => {
    const { fetch } = stubFetch(() => json({}));
    const clientId = uniqueClientId();
    const first = identity(fetch, { clientId });
    await first.GET("/identity/v1/users");
    await first.GET("/identity/v1/users");
    expect(issuer.requests).toHaveLength(1);
    await identity(fetch, { clientId, clientSecret: `${SECRET}-rotated` }).GET("/identity/v1/users");
    expect(issuer.requests).toHaveLength(2);
    expect(issuer.requests[1]?.form.get("client_secret")).toBe(`${SECRET}-rotated`);
  });

  it("makes no replay and no further token request with retry: false, and drops the rejected token", async () => {
    issuer.respond((_f, i) => ({ status: 200, body: { access_token: `once-${i}`, expires_in: 900 } }));
    const { fetch, requests } = stubFetch(() => json({}, 401));
    const client = identity(fetch);
    expect((await client.GET("/identity/v1/users")).response.status).toBe(401);
    expect(requests).toHaveLength(1);
    expect(issuer.requests).toHaveLength(1);
    await client.GET("/identity/v1/users");
    expect(requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer once-0", "Bearer once-1"]);
  });

  it("reports a rejected token request as GreenLakeAuthError without the secret", async () => {
    issuer.respond(() => ({ status: 401, body: { error: "invalid_client", error_description: "Bad client credentials" } }));
    const { fetch } = stubFetch(() => json({}));
    const client = identity(fetch);
    const failure = await client.GET("/identity/v1/users").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GreenLakeAuthError);
    expect((failure as Error).message).toContain("invalid_client");
    expect((failure as Error).message).toContain("Check clientId, clientSecret and workspaceId");
    expect(JSON.stringify(failure)).not.toContain(SECRET);
    expect((failure as Error).message).not.toContain(SECRET);
    expect(issuer.requests).toHaveLength(1);
  });
});

describe("supplied tokens", () => {
  it("sends a static token and surfaces a 401 without replay", async () => {
    const { fetch, requests } = stubFetch(() => json({}, 401));
    const client = createServiceClient<FixturePaths>(globalService, { token: "static-abc", fetch, env: {} });
    const { response } = await client.GET("/identity/v1/users");
    expect(response.status).toBe(401);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.headers.get("authorization")).toBe("Bearer static-abc");
  });

  it("asks a custom provider before each request and once more after a 401", async () => {
    let n = 0;
    const { fetch, requests } = stubFetch((_r, i) => (i === 0 ? json({}, 401) : json({})));
    const client = createServiceClient<FixturePaths>(globalService, { token: async () => `p-${n++}`, fetch, env: {} });
    await client.GET("/identity/v1/users");
    expect(requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer p-0", "Bearer p-1"]);
  });
});

describe("token exchange (MSP tenants)", () => {
  it("exchanges the parent token at the tenant workspace issuer and uses the result", async () => {
    const tenant = "fedcba9876543210fedcba9876543210";
    issuer.respond((form, i) =>
      form.get("grant_type") === "client_credentials"
        ? { status: 200, body: { access_token: `msp-${i}`, expires_in: 900 } }
        : { status: 200, body: { access_token: `tenant-${i}`, expires_in: 900, issued_token_type: ACCESS_TOKEN_TYPE } },
    );
    const { fetch, requests } = stubFetch(() => json({}));
    const runtime = createRuntime({ clientId: uniqueClientId(), clientSecret: SECRET, workspaceId: WORKSPACE, tokenUrl: workspaceTokenUrl(), fetch, env: {} });
    const auth = tokenExchangeSource(runtime.auth, runtime.settings.credentials, "FEDCBA98-7654-3210-FEDC-BA9876543210", {
      timeoutMs: runtime.settings.timeoutMs,
      retry: runtime.settings.retry,
      log: runtime.log,
    });
    const tenantClient = buildServiceClient<FixturePaths>(globalService, { ...runtime, auth });
    await tenantClient.GET("/identity/v1/users");
    await tenantClient.GET("/identity/v1/users");
    expect(issuer.requests).toHaveLength(2);
    const exchange = issuer.requests[1]!;
    expect(exchange.path).toBe(`/authorization/v2/oauth2/${tenant}/token`);
    expect(exchange.form.get("grant_type")).toBe(TOKEN_EXCHANGE_GRANT);
    expect(exchange.form.get("subject_token")).toBe("msp-0");
    expect(exchange.form.get("subject_token_type")).toBe(ACCESS_TOKEN_TYPE);
    expect(requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer tenant-1", "Bearer tenant-1"]);
  });
});

describe("per-call control", () => {
  it("keeps an Authorization header the caller set and never replays it", async () => {
    const { fetch, requests } = stubFetch(() => json({}, 401));
    const client = identity(fetch);
    const { response } = await client.GET("/identity/v1/users", { headers: { Authorization: "Basic abc" } });
    expect(response.status).toBe(401);
    expect(requests.map((r) => r.headers.get("authorization"))).toEqual(["Basic abc"]);
    expect(issuer.requests).toHaveLength(0);
  });

  it("lets a caller stop waiting for a slow token without cancelling it for others", async () => {
    issuer.respond((_f, i) => ({ status: 200, body: { access_token: `slow-${i}`, expires_in: 900 }, delayMs: 100 }));
    const { fetch, requests } = stubFetch(() => json({}));
    const client = identity(fetch);
    const controller = new AbortController();
    const impatient = client.GET("/identity/v1/users", { signal: controller.signal });
    const patient = client.GET("/identity/v1/users");
    const reason = new Error("no time");
    controller.abort(reason);
    await expect(impatient).rejects.toMatchObject({ name: "GreenLakeAbortedError", cause: { message: "no time" } });
    await patient;
    expect(requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer slow-0"]);
    expect(issuer.requests).toHaveLength(1);
  });
});

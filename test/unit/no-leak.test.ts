import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/internal/redaction.js";
import { tokenExchangeSource } from "../../src/internal/auth.js";
import { unwrap } from "../../src/errors.js";
import { paginate } from "../../src/pagination.js";
import { createRuntime } from "../../src/internal/runtime.js";
import { buildServiceClient, createServiceClient } from "../../src/service-client.js";
import { waitForAsyncOperation } from "../../src/async-operations.js";
import { captureError, captureLogger, capturedText, leakedValues } from "./support/capture.js";
import {
  globalService,
  issuedTokens,
  json,
  regionalService,
  SECRET,
  startTokenServer,
  stubFetch,
  uniqueClientId,
  usedSecrets,
  WORKSPACE,
  type FixturePaths,
  type TokenServer,
} from "./support/fixtures.js";

const JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJsZWFrLWNoZWNrIn0.bGVha3lTaWduYXR1cmVWYWx1ZQ";
const STATIC = "static-token-QWERTY-123456";
usedSecrets.push(STATIC);
issuedTokens.push(JWT);

let issuer: TokenServer;
beforeAll(async () => {
  issuer = await startTokenServer();
});
afterAll(async () => {
  await issuer.close();
});

const tokenUrl = () => `${issuer.url}/authorization/v2/oauth2/${WORKSPACE}/token`;

/** Runs a scenario with a debug logger, capturing every line and any error it ends with. */
async function scenario(run: (logger: ReturnType<typeof captureLogger>["logger"]) => Promise<unknown>): Promise<void> {
  const { logger } = captureLogger();
  try {
    await run(logger);
  } catch (error) {
    captureError(error);
  }
}

function apiClient(logger: object, fetch: (r: Request) => Promise<Response>, extra: Record<string, unknown> = {}) {
  return createServiceClient<FixturePaths>(globalService, {
    clientId: uniqueClientId(),
    clientSecret: SECRET,
    workspaceId: WORKSPACE,
    tokenUrl: tokenUrl(),
    fetch,
    logger,
    logLevel: "debug",
    retry: { maxAttempts: 2, baseDelayMs: 1 },
    env: {},
    ...extra,
  });
}

describe("no credential in any log line or error message", () => {
  it("runs every failure path with debug logging and finds no secret or token in the output", async () => {
    // Issuer rejects and echoes the secret back.
    issuer.respond((form) => ({ status: 401, body: { error: "invalid_client", error_description: `bad secret ${form.get("client_secret")}` } }));
    await scenario((logger) => apiClient(logger, stubFetch(() => json({})).fetch).GET("/identity/v1/users"));
    // Issuer fails with the form in its body.
    issuer.respond((form) => ({ status: 500, body: { message: form.toString() } }));
    await scenario((logger) => apiClient(logger, stubFetch(() => json({})).fetch).GET("/identity/v1/users"));
    issuer.respond((_f, i) => ({ status: 200, body: { access_token: i % 2 ? JWT : `tok-leakcheck-${i}-${Math.random()}`, expires_in: 900 } }));
    // API rejects the token and echoes it.
    await scenario(async (logger) => {
      const client = apiClient(logger, stubFetch((r) => json({ message: `token ${r.headers.get("authorization")} rejected`, errorCode: "E401" }, 401)).fetch);
      await unwrap(client.GET("/identity/v1/users"));
    });
    await scenario(async (logger) => {
      const client = apiClient(logger, stubFetch((r) => json({ message: `bad ${r.headers.get("authorization")}` }, 403)).fetch, { throwOnError: true });
      await client.GET("/identity/v1/users");
    });
    // Retries, then a server error in pagination and in an async operation.
    await scenario(async (logger) => {
      const stub = stubFetch((r) => json({ message: `overloaded for ${r.headers.get("authorization")}` }, 503, { "retry-after": "0" }));
      const com = createServiceClient<FixturePaths>(regionalService, { token: STATIC, region: "us-west", fetch: stub.fetch, logger, logLevel: "debug", env: {} });
      for await (const _ of paginate(com, "/compute-ops-mgmt/v1/servers", undefined, { concurrency: 2 })) {
        // drained
      }
    });
    await scenario(async (logger) => {
      const stub = stubFetch(() => json({ status: "FAILED", error: { message: `failed for ${STATIC}` } }));
      const com = createServiceClient<FixturePaths>(regionalService, { token: STATIC, region: "us-west", fetch: stub.fetch, logger, logLevel: "debug", env: {} });
      await waitForAsyncOperation(com, "/compute-ops-mgmt/v1/async-operations/1");
    });
    // Lost connection and timeouts.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await scenario((logger) => apiClient(logger, globalThis.fetch, { baseUrl: `http://127.0.0.1:${port}` }).GET("/identity/v1/users"));
    await scenario((logger) =>
      apiClient(logger, (r: Request) => new Promise<Response>((_res, rej) => r.signal.addEventListener("abort", () => rej(r.signal.reason))), { timeoutMs: 5 }).GET(
        "/identity/v1/users",
      ),
    );
    // Issuer unreachable.
    await scenario((logger) => apiClient(logger, stubFetch(() => json({})).fetch, { tokenUrl: `http://127.0.0.1:${port}/authorization/v2/oauth2/${WORKSPACE}/token` }).GET("/identity/v1/users"));
    // Token exchange rejected, echoing the subject token.
    await scenario(async (logger) => {
      const runtime = createRuntime({ token: JWT, fetch: stubFetch(() => json({})).fetch, logger, logLevel: "debug", env: {} });
      issuer.respond((form) => ({ status: 400, body: { error: "invalid_grant", error_description: `subject ${form.get("subject_token")}` } }));
      const auth = tokenExchangeSource(runtime.auth, { kind: "client-credentials", clientId: "c", clientSecret: new Secret(SECRET), workspaceId: WORKSPACE, tokenUrl: tokenUrl() }, "fedcba9876543210fedcba9876543210", { timeoutMs: 60_000, retry: runtime.settings.retry, log: runtime.log });
      await buildServiceClient<FixturePaths>(globalService, { ...runtime, auth }).GET("/identity/v1/users");
    });
    // Bad settings.
    await scenario(async () => createServiceClient(globalService, { clientId: "x", clientSecret: `${SECRET}\u00ff`, env: {} }));
    await scenario(async () => createServiceClient(globalService, { env: { GREENLAKE_CLIENT_ID: "id", GREENLAKE_CLIENT_SECRET: SECRET, GREENLAKE_WORKSPACE_ID: "bad" } }));

    expect(capturedText.length).toBeGreaterThan(20);
    expect(capturedText.some((line) => line.includes("invalid_client"))).toBe(true);
    expect(capturedText.some((line) => line.includes("[REDACTED]"))).toBe(true);
    expect(leakedValues(capturedText)).toEqual([]);
  });

  it("scrubs a token that a custom fetch's failure names from the connection error's message", async () => {
    const fetch = (r: Request) => Promise.reject(new Error(`refused ${r.headers.get("authorization")}`));
    const client = createServiceClient<FixturePaths>(globalService, { token: STATIC, fetch, retry: false, env: {} });
    const error = (await client.GET("/identity/v1/users").catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/could not reach greenlake\.invalid|could not reach [^:]+: refused Bearer \[REDACTED\]/);
    expect(error.message).not.toContain(STATIC);
  });

  it("would notice a leak", () => {
    expect(leakedValues([`oops ${SECRET}`])).toEqual([SECRET]);
  });
});

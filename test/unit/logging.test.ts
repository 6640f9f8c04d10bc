import { describe, expect, it } from "vitest";
import { createLog, rateLimitOf, silentLog } from "../../src/logging.js";
import { redact as redactSecrets } from "../../src/internal/redaction.js";
import { createServiceClient } from "../../src/service-client.js";
import { captureLogger } from "./support/capture.js";
import { globalService, json, stubFetch, type FixturePaths } from "./support/fixtures.js";

describe("logging", () => {
  it("is silent without a logger", () => {
    expect(createLog({})).toBe(silentLog);
    expect(createLog({ logLevel: "debug" })).toBe(silentLog);
  });

  it("writes only at or above the chosen level, to any console-shaped logger", () => {
    const { logger, lines } = captureLogger();
    const log = createLog({ logger, logLevel: "info" });
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(lines).toEqual(["info i", "warn w", "error e"]);
    expect(log.debugEnabled).toBe(false);
  });

  it("accepts a logger with only some levels", () => {
    const seen: string[] = [];
    const log = createLog({ logger: { warn: (m: string) => seen.push(m) }, logLevel: "debug" });
    log.debug("ignored");
    log.warn("kept");
    expect(seen).toEqual(["kept"]);
  });

  it("redacts anything that looks like a credential", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    expect(redactSecrets(`Authorization: Bearer ${jwt}`)).toBe("Authorization: Bearer [REDACTED]");
    expect(redactSecrets(`token ${jwt} end`)).toBe("token [REDACTED] end");
    expect(redactSecrets("client_secret=abc&client_id=me")).toBe("client_secret=[REDACTED]&client_id=me");
    expect(redactSecrets('{"access_token":"xyz"}')).toBe('{"access_token":"[REDACTED]"}');
  });

  it("logs requests at debug level without headers or tokens", async () => {
    const { logger, lines } = captureLogger();
    const { fetch } = stubFetch(() => json({}));
    const client = createServiceClient<FixturePaths>(globalService, { token: "very-secret-token", fetch, logger, logLevel: "debug", env: {} });
    await client.GET("/identity/v1/users", { params: { query: { limit: 5 } } });
    expect(lines).toEqual(["debug GET /identity/v1/users -> 200"]);
  });
});

describe("response headers", () => {
  it("exposes GreenLake's rate-limit headers", async () => {
    const { fetch } = stubFetch(() => json({}, 200, { "ratelimit-limit": "160", "ratelimit-remaining": "159", "ratelimit-reset": "42" }));
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, env: {} });
    const { response } = await client.GET("/identity/v1/users");
    expect(rateLimitOf(response)).toEqual({ limit: 160, remaining: 159, reset: 42 });
    expect(rateLimitOf(json({}))).toEqual({ limit: undefined, remaining: undefined, reset: undefined });
  });

  it("warns once about an operation the description marks deprecated", async () => {
    const { logger, lines } = captureLogger();
    const { fetch } = stubFetch(() => json({}));
    const metadata = { ...globalService, operations: [{ ...globalService.operations[0]!, deprecated: true }] };
    const client = createServiceClient<FixturePaths>(metadata, { token: "t", fetch, logger, env: {} });
    await client.GET("/identity/v1/users");
    await client.GET("/identity/v1/users");
    expect(lines).toEqual(["warn GET /identity/v1/users is marked deprecated in the API description; plan a move to its successor."]);
  });

  it("warns once per operation about Deprecation and Sunset", async () => {
    const { logger, lines } = captureLogger();
    const { fetch } = stubFetch((r) =>
      r.url.includes("/users/")
        ? json({}, 200, { deprecation: "@1735689600" })
        : json({}, 200, { deprecation: "true", sunset: "Wed, 31 Dec 2026 23:59:59 GMT", link: '<https://developer.greenlake.hpe.com/x>; rel="deprecation"' }),
    );
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, logger, env: {} });
    await client.GET("/identity/v1/users");
    await client.GET("/identity/v1/users");
    await client.GET("/identity/v1/users", { params: { query: { limit: 1 } } });
    const get = client.GET as unknown as (p: string, i: unknown) => Promise<unknown>;
    await get("/identity/v1/users/{id}", { params: { path: { id: "a" } } });
    await get("/identity/v1/users/{id}", { params: { path: { id: "b" } } });
    expect(lines).toEqual([
      'warn GET /identity/v1/users is deprecated; it stops working after Wed, 31 Dec 2026 23:59:59 GMT (see <https://developer.greenlake.hpe.com/x>; rel="deprecation")',
      "warn GET /identity/v1/users/{id} is deprecated since @1735689600",
    ]);
  });
});

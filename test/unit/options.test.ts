import { describe, expect, it } from "vitest";
import { GreenLakeConfigurationError } from "../../src/errors.js";
import { normalizeWorkspaceId, resolveSettings, SSO_ISSUER } from "../../src/options.js";
import { captureError } from "./support/capture.js";
import { SECRET, WORKSPACE } from "./support/fixtures.js";

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    captureError(error);
    return error as Error;
  }
  throw new Error("expected a configuration error");
}

describe("settings", () => {
  it("reads GREENLAKE_* from the environment", () => {
    const s = resolveSettings({
      env: {
        GREENLAKE_CLIENT_ID: "id-1",
        GREENLAKE_CLIENT_SECRET: SECRET,
        GREENLAKE_WORKSPACE_ID: WORKSPACE,
        GREENLAKE_REGION: "eu-central",
        GREENLAKE_TOKEN_URL: "https://issuer.example.com/token",
      },
    });
    expect(s.credentials).toMatchObject({ kind: "client-credentials", clientId: "id-1", workspaceId: WORKSPACE, tokenUrl: "https://issuer.example.com/token" });
    expect(s.region).toBe("eu-central");
  });

  it("prefers options over the environment", () => {
    const s = resolveSettings({ clientId: "opt", clientSecret: SECRET, region: "us-west", env: { GREENLAKE_CLIENT_ID: "env", GREENLAKE_REGION: "eu-west" } });
    expect(s.credentials).toMatchObject({ clientId: "opt" });
    expect(s.region).toBe("us-west");
  });

  it("needs no credentials with a token", () => {
    const credentials = resolveSettings({ token: "abc", env: {} }).credentials;
    expect(credentials.kind).toBe("static");
    expect(credentials.kind === "static" && !(typeof credentials.token === "function") && credentials.token.reveal()).toBe("abc");
  });

  it.each([
    [{}, /Missing clientId.*GREENLAKE_CLIENT_ID/],
    [{ clientId: "x" }, /Missing clientSecret.*GREENLAKE_CLIENT_SECRET/],
    [{ clientId: " ", clientSecret: SECRET }, /clientId is empty/],
    [{ clientId: "x", clientSecret: SECRET, workspaceId: "not-a-workspace" }, /workspaceId is malformed.*32 hex digits/],
    [{ clientId: "x", clientSecret: SECRET, tokenUrl: "http://issuer.example.com/token" }, /tokenUrl must use https/],
    [{ token: "t", baseUrl: "http://proxy.example.com" }, /baseUrl must use https.*127\.0\.0\.1/],
    [{ token: "t", baseUrl: "not a url" }, /baseUrl is not a valid URL/],
    [{ token: "t", region: "EU Central" }, /region must be a region name/],
    [{ token: "" }, /token must be a non-empty string/],
    [{ token: "t", timeoutMs: -1 }, /timeoutMs must be a non-negative number/],
    [{ token: "t", retry: { maxAttempts: 0 } }, /retry.maxAttempts/],
    [{ token: "t", rateLimit: { requestsPerMinute: 0 } }, /rateLimit.requestsPerMinute must be a positive number/],
    [{ token: "t", logLevel: "verbose" as never }, /logLevel must be one of debug, info, warn, error, silent/],
  ])("rejects %j at construction, naming the setting and the fix", (options, message) => {
    const error = failure(() => resolveSettings({ env: {}, ...options }));
    expect(error).toBeInstanceOf(GreenLakeConfigurationError);
    expect(error.message).toMatch(message);
  });

  it("names the environment variable when that is where a bad value came from", () => {
    expect(failure(() => resolveSettings({ env: { GREENLAKE_CLIENT_ID: "a", GREENLAKE_CLIENT_SECRET: SECRET, GREENLAKE_WORKSPACE_ID: "xyz" } })).message).toMatch(
      /^GREENLAKE_WORKSPACE_ID is malformed/,
    );
  });

  it("never echoes a secret in a configuration error", () => {
    const error = failure(() => resolveSettings({ clientId: "a", clientSecret: `${SECRET}\u00e9`, env: {} }));
    expect(error.message).toMatch(/clientSecret contains non-ASCII/);
    expect(error.message).not.toContain(SECRET);
  });

  it("allows plain http on loopback only", () => {
    expect(resolveSettings({ token: "t", baseUrl: "http://127.0.0.1:4010/", env: {} }).baseUrl).toBe("http://127.0.0.1:4010");
    expect(resolveSettings({ token: "t", baseUrl: "http://localhost:1", env: {} }).baseUrl).toBe("http://localhost:1");
  });

  it("keeps providers for later and defaults the rest", () => {
    const provider = async () => "x";
    const s = resolveSettings({ clientId: provider, clientSecret: provider, workspaceId: provider, region: provider, env: {} });
    expect(s.credentials).toMatchObject({ clientId: provider, workspaceId: provider });
    expect(s.region).toBe(provider);
    expect(s.timeoutMs).toBe(60_000);
    expect(s.retry).toMatchObject({ maxAttempts: 4 });
    expect(SSO_ISSUER).toBe("https://sso.common.cloud.hpe.com/as/token.oauth2");
  });
});

describe("workspace ids", () => {
  it("accepts 32 hex digits and the hyphenated form, normalised", () => {
    expect(normalizeWorkspaceId("0123456789ABCDEF0123456789abcdef")).toBe(WORKSPACE);
    expect(normalizeWorkspaceId("01234567-89ab-cdef-0123-456789abcdef")).toBe(WORKSPACE);
  });
  it.each(["0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdeg", "01234567-89ab-cdef-0123-456789abcdef0", ""])(
    "rejects %j",
    (value) => {
      expect(() => normalizeWorkspaceId(value)).toThrow(GreenLakeConfigurationError);
    },
  );
});

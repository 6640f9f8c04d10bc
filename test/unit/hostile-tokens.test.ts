/** Tokens an issuer or a provider hands out that no request header can carry are refused where they enter, whatever their size. */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeAuthError } from "../../src/errors.js";
import { checkAccessToken, MAX_ACCESS_TOKEN_CHARS } from "../../src/internal/auth.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, WORKSPACE, type FixturePaths } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

const visible = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

let server: Loopback;
let issued = "";

beforeAll(async () => {
  server = await startLoopback((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(req.url?.includes("/token") ? JSON.stringify({ access_token: issued, expires_in: 900 }) : "{}");
  });
});
afterAll(() => server.close());

function apiCalls(): number {
  return server.received.filter((r) => !r.target.includes("/token")).length;
}

describe("access tokens too long for a header", () => {
  it("are refused by the token check, and every visible-ASCII token up to the limit is accepted", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * MAX_ACCESS_TOKEN_CHARS }), visible, (length, fill) => {
        const token = fill.repeat(length);
        if (length <= MAX_ACCESS_TOKEN_CHARS) expect(checkAccessToken(token, "The issuer")).toBe(token);
        else expect(() => checkAccessToken(token, "The issuer")).toThrow(GreenLakeAuthError);
      }),
      { numRuns: 200 },
    );
  });

  it("from an issuer fail the call with an auth error, and no API request carries them", async () => {
    issued = "A".repeat(1024 * 1024);
    const before = apiCalls();
    const client = createServiceClient<FixturePaths>(globalService, {
      clientId: "huge-token-client",
      clientSecret: "huge-token-secret-value",
      workspaceId: WORKSPACE,
      tokenUrl: `${server.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
      baseUrl: server.url,
      retry: false,
      env: {},
    });
    const error = await client.GET("/identity/v1/users").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GreenLakeAuthError);
    expect((error as Error).message).toMatch(/longer than 8192 characters/);
    expect(apiCalls()).toBe(before);
  });

  it("from a token provider fail the call with an auth error, and no API request carries them", async () => {
    const before = apiCalls();
    const client = createServiceClient<FixturePaths>(globalService, { token: () => "B".repeat(MAX_ACCESS_TOKEN_CHARS + 1), baseUrl: server.url, retry: false, env: {} });
    await expect(client.GET("/identity/v1/users")).rejects.toBeInstanceOf(GreenLakeAuthError);
    expect(apiCalls()).toBe(before);
  });
});

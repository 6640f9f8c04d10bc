/** Token requests are calls like any other: the client's own logger, time limit and retry policy, and readable failures. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeAuthError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { captureLogger } from "./support/capture.js";
import { globalService, WORKSPACE, type FixturePaths } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

let server: Loopback;
let issuerAnswer: { status: number; type: string; body: string } = { status: 200, type: "application/json", body: "" };

beforeAll(async () => {
  server = await startLoopback((req, res) => {
    if (req.url?.includes("/token")) {
      res.writeHead(issuerAnswer.status, { "content-type": issuerAnswer.type });
      return res.end(issuerAnswer.body);
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
});
afterAll(() => server.close());

function client(extra: Record<string, unknown> = {}) {
  return createServiceClient<FixturePaths>(globalService, {
    clientId: "same-client",
    clientSecret: "same-secret-value",
    workspaceId: WORKSPACE,
    tokenUrl: `${server.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
    baseUrl: server.url,
    env: {},
    ...extra,
  });
}

describe("token requests", () => {
  it("log into the logger of the client that makes them, even for the same credentials", async () => {
    issuerAnswer = { status: 200, type: "application/json", body: '{"access_token":"tok-logger-test","expires_in":900}' };
    const first = captureLogger();
    const second = captureLogger();
    await client({ logger: first.logger, logLevel: "debug" }).GET("/identity/v1/users");
    await client({ logger: second.logger, logLevel: "debug" }).GET("/identity/v1/users");
    for (const { lines } of [first, second]) {
      expect(lines.filter((l) => l.includes("Token request at"))).toHaveLength(1);
      expect(lines.filter((l) => l.includes("Obtained access token"))).toHaveLength(1);
    }
  });

  it("report an issuer that answers with something other than JSON as such, not as a connection failure", async () => {
    issuerAnswer = { status: 200, type: "text/html", body: "<html>login page</html>" };
    const error = await client({ retry: false }).GET("/identity/v1/users").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GreenLakeAuthError);
    expect((error as Error).message).toMatch(/answered with a body that is not JSON/);
  });
});

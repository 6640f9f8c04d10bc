/**
 * A call waits for its token no longer than its own time limit: an issuer that never answers (or
 * stalls mid-body) ends the call with a GreenLakeTimeoutError after the call's `timeoutMs`, even when
 * the client's limit is far longer or off. The token request itself goes on for the calls after it.
 */
import fc from "fast-check";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeTimeoutError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, WORKSPACE, type FixturePaths } from "../unit/support/fixtures.js";
import { startIssuerBesideApi, type Loopback } from "../unit/support/loopback.js";

type Stall = "no answer" | "headers only" | "half a body";
let stall: Stall = "no answer";
const open: ServerResponse[] = [];
let server: Loopback;

beforeAll(async () => {
  server = await startIssuerBesideApi((_req, res) => {
    open.push(res);
    if (stall === "headers only") res.writeHead(200, { "content-type": "application/json" }).flushHeaders();
    if (stall === "half a body") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"access_token":"abc');
    }
  });
});
afterAll(async () => {
  for (const res of open) res.destroy();
  await server.close();
});

let clients = 0;

describe("waiting for a token", () => {
  it("ends a call after its own timeoutMs, whatever the client's limit and however the issuer stalls", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Stall>("no answer", "headers only", "half a body"),
        // The client's limit: off, or far beyond the test's time (a verdict here never depends on speed).
        fc.constantFrom(0, 3_600_000),
        fc.integer({ min: 20, max: 200 }),
        fc.boolean(),
        async (how, clientTimeoutMs, callTimeoutMs, perCall) => {
          stall = how;
          const client = createServiceClient<FixturePaths>(globalService, {
            clientId: `token-wait-${clients++}`,
            clientSecret: "token-wait-limit-secret",
            workspaceId: WORKSPACE,
            tokenUrl: `${server.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
            baseUrl: server.url,
            timeoutMs: perCall ? clientTimeoutMs : callTimeoutMs,
            env: {},
          });
          const call = perCall ? client.GET("/identity/v1/users", { timeoutMs: callTimeoutMs }) : client.GET("/identity/v1/users");
          const error = await call.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(GreenLakeTimeoutError);
          expect((error as Error).message).toContain(`${callTimeoutMs} ms`);
          expect((error as Error).message).toMatch(/token/);
        },
      ),
      { numRuns: 12 },
    );
  }, 60_000);
});

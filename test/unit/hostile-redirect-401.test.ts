/** A 401 from an origin a redirect led to never saw the token: it must not cost the client its token. */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, WORKSPACE, type FixturePaths } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

let api: Loopback;
let elsewhere: Loopback;
let redirectStatus = 302;

beforeAll(async () => {
  elsewhere = await startLoopback((_req, res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end('{"httpStatusCode":401,"errorCode":"HPE_GL_ERROR_UNAUTHORIZED","message":"who are you"}');
  });
  let n = 0;
  api = await startLoopback((req, res) => {
    if (req.url?.includes("/token")) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ access_token: `token-number-${++n}-abcdefgh`, expires_in: 900 }));
    }
    res.writeHead(redirectStatus, { location: `${elsewhere.url}/identity/v1/users` }).end();
  });
});
afterAll(async () => {
  await api.close();
  await elsewhere.close();
});

function tokenRequests(): number {
  return api.received.filter((r) => r.target.includes("/token")).length;
}

describe("a redirect to another origin that answers 401", () => {
  it("neither drops the token nor replays the call, whatever the redirect and however many calls", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(301, 302, 303, 307, 308), fc.integer({ min: 1, max: 4 }), async (status, calls) => {
        redirectStatus = status;
        const client = createServiceClient<FixturePaths>(globalService, {
          clientId: `redirect-401-${status}-${calls}-${Math.random()}`,
          clientSecret: "redirect-401-secret-value",
          workspaceId: WORKSPACE,
          tokenUrl: `${api.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
          baseUrl: api.url,
          env: {},
        });
        const tokensBefore = tokenRequests();
        const apiBefore = api.received.length - tokensBefore;
        for (let i = 0; i < calls; i++) {
          const { response } = await client.GET("/identity/v1/users");
          expect(response.status).toBe(401);
        }
        expect(tokenRequests() - tokensBefore).toBe(1);
        // One request per call: no replay of a call the token was never shown for.
        expect(api.received.length - tokenRequests() - apiBefore).toBe(calls);
        expect(elsewhere.received.every((r) => r.headers.authorization === undefined)).toBe(true);
      }),
      { numRuns: 15 },
    );
  });
});

/**
 * forTenant exchanges the MSP's token at the tenant workspace's issuer: the tenant's id is what makes the
 * new token the tenant's. Whatever `tokenUrl` the MSP client has, the exchange names the tenant in the
 * issuer's path, or forTenant refuses at once; it never exchanges at an issuer that does not name the tenant.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeConfigurationError } from "../../src/errors.js";
import { GreenLake } from "../../src/greenlake.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(req.url?.includes("token") ? JSON.stringify({ access_token: `token-${server.received.length}`, expires_in: 900 }) : '{"items":[]}');
  });
});
afterAll(() => server.close());

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const uuid = fc.uuid();
const PARENT = "0123456789abcdef0123456789abcdef";

describe("forTenant's token exchange", () => {
  it("names the tenant in the issuer's path, or forTenant refuses", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant("/as/token.oauth2"),
          fc.constant(`/authorization/v2/oauth2/${PARENT}/token`),
          fc.constant(`/authorization/v2/oauth2/${PARENT.toUpperCase()}/token?x=1`),
          uuid.map((u) => `/authorization/v2/oauth2/${u}/token`),
          fc.constant("/oauth2/token"),
          fc.constant(`/authorization/v2/oauth2/${PARENT}/token/extra`),
          fc.constant("/oauth/token"),
        ),
        fc.oneof(hex32, uuid),
        async (path, tenant) => {
          const gl = new GreenLake({ clientId: "msp-client", clientSecret: "tenant-issuer-secret", tokenUrl: `${server.url}${path}`, baseUrl: server.url, retry: false, env: {} });
          let child: GreenLake;
          try {
            child = gl.forTenant(tenant);
          } catch (error) {
            expect(error).toBeInstanceOf(GreenLakeConfigurationError);
            expect((error as Error).message).toMatch(/tokenUrl/);
            return;
          }
          const before = server.received.length;
          await child.service("identity").GET("/identity/v1/users" as never, {} as never);
          const exchange = server.received.slice(before).find((r) => r.body.includes("token-exchange"));
          expect(exchange).toBeDefined();
          expect(exchange!.target.split("?")[0]).toMatch(new RegExp(`/oauth2/${tenant.replaceAll("-", "").toLowerCase()}/token$`));
        },
      ),
      { numRuns: 30 },
    );
  });
});

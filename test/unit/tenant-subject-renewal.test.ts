/**
 * A tenant's token is exchanged for the MSP's. When the tenant's issuer rejects the MSP token it was
 * given (revoked, or the API client's secret rotated), the exchange gets a fresh MSP token and tries
 * once more, instead of failing every tenant call until the cached MSP token expires. It never loops.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeAuthError } from "../../src/errors.js";
import { GreenLake } from "../../src/greenlake.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

const PARENT = "0123456789abcdef0123456789abcdef";
const TENANT = "fedcba9876543210fedcba9876543210";

let server: Loopback;
let issued = 0;
let rejectedParents = 0;
let rejection = 400;
beforeAll(async () => {
  server = await startLoopback((req, res, body) => {
    const form = new URLSearchParams(body);
    res.setHeader("content-type", "application/json");
    if (form.get("grant_type") === "client_credentials") {
      res.end(JSON.stringify({ access_token: `msp-token-${issued++}`, expires_in: 900 }));
    } else if (form.get("subject_token") !== null) {
      const n = Number(form.get("subject_token")!.replace("msp-token-", ""));
      if (n < rejectedParents) {
        res.statusCode = rejection;
        res.end(JSON.stringify({ error: "invalid_grant", error_description: "subject token is not valid" }));
      } else res.end(JSON.stringify({ access_token: `tenant-token-${n}`, expires_in: 900 }));
    } else res.end('{"items":[]}');
  });
});
afterAll(() => server.close());

describe("a rejected MSP token in a tenant's exchange", () => {
  it("is replaced once: the call succeeds with the next MSP token, and a second rejection ends it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.constantFrom(400, 401), async (rejected, status) => {
        issued = 0;
        rejectedParents = rejected;
        rejection = status;
        const gl = new GreenLake({ clientId: "msp", clientSecret: "tenant-subject-secret", tokenUrl: `${server.url}/authorization/v2/oauth2/${PARENT}/token`, baseUrl: server.url, env: {} });
        const before = server.received.length;
        const outcome = await gl
          .forTenant(TENANT)
          .service("identity")
          .GET("/identity/v1/users" as never, {} as never)
          .then(
            (r: { response: Response }) => r.response.status,
            (e: unknown) => e,
          );
        const exchanges = server.received.slice(before).filter((r) => r.body.includes("subject_token=")).length;
        expect(exchanges).toBeLessThanOrEqual(2);
        if (rejected <= 1) expect(outcome).toBe(200);
        else {
          expect(outcome).toBeInstanceOf(GreenLakeAuthError);
          expect(exchanges).toBe(2);
        }
      }),
      { numRuns: 16 },
    );
  });
});

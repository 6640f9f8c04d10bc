/** A redirect loop is reported as one, once: not as an unreachable network, and not retried. */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeConnectionError, GreenLakeError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

let server: Loopback;
let status = 302;
beforeAll(async () => {
  server = await startLoopback((req, res) => res.writeHead(status, { location: req.url === "/a" ? "/b" : "/a" }).end());
});
afterAll(() => server.close());

describe("a redirect loop", () => {
  it("fails the call after 21 requests with a redirect-loop error, whatever the status, method and retry policy", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(301, 302, 303, 307, 308), fc.constantFrom("GET", "PUT", "DELETE"), fc.integer({ min: 1, max: 4 }), async (redirect, method, maxAttempts) => {
        status = redirect;
        const before = server.received.length;
        const client = createServiceClient<any>(globalService, { token: "tok-abcdefgh", baseUrl: server.url, env: {}, retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2 } });
        const send = client[method as "GET"] as (path: string, init: unknown) => Promise<unknown>;
        const error = await send("/identity/v1/users", {}).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GreenLakeError);
        expect(error).not.toBeInstanceOf(GreenLakeConnectionError);
        expect((error as Error).message).toMatch(/redirected more than 20 times/);
        expect(server.received.length - before).toBe(21);
      }),
      { numRuns: 20 },
    );
  });
});

/**
 * A body past maxResponseBytes at the end of a redirect is refused in the name of the call that was made
 * (method and path, as every error of the call), whether its length was declared or found while reading.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeResponseTooLargeError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

let server: Loopback;
let declared = true;
let redirect = 302;
beforeAll(async () => {
  server = await startLoopback((req, res) => {
    if (req.url?.startsWith("/identity")) return res.writeHead(redirect, { location: "/elsewhere/large-answer?page=2" }).end();
    res.writeHead(200, { "content-type": "application/json", ...(declared ? { "content-length": "5000" } : {}) }).end("x".repeat(5000));
  });
});
afterAll(() => server.close());

describe("a body past maxResponseBytes after a redirect", () => {
  it("names the call that was made, declared or not, whatever the redirect", async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.constantFrom(301, 302, 303, 307, 308), async (isDeclared, status) => {
        declared = isDeclared;
        redirect = status;
        const client = createServiceClient<any>(globalService, { token: "tok-abcdefgh", baseUrl: server.url, env: {}, retry: false, maxResponseBytes: 1000 });
        const error = await client.GET("/identity/v1/users", {}).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GreenLakeResponseTooLargeError);
        expect((error as GreenLakeResponseTooLargeError).path).toBe("/identity/v1/users");
        expect((error as Error).message).toMatch(/^GET \/identity\/v1\/users /);
      }),
      { numRuns: 10 },
    );
  });
});

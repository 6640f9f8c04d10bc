/**
 * The SSO issuer gets the client id and secret as an HTTP Basic credential: base64 of both, a
 * spelling of the secret anyone can decode. An issuer (or a gateway before it) that echoes that
 * credential in its error answer must not put it in the error, its inspection or its JSON.
 */
import fc from "fast-check";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeAuthError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, type FixturePaths } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

let server: Loopback;
let echo: (credential: string) => string = (c) => c;
let received = "";

beforeAll(async () => {
  server = await startLoopback((req, res) => {
    const credential = String(req.headers.authorization ?? "").replace(/^Basic /, "");
    received = credential;
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "invalid_client", error_description: echo(credential) }));
  });
});
afterAll(() => server.close());

const secretChars = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 8, maxLength: 48 });
let clients = 0;

describe("the Basic credential sent to the SSO issuer", () => {
  it("never shows in a token request's error, however the issuer echoes it", async () => {
    await fc.assert(
      fc.asyncProperty(
        secretChars,
        fc.constantFrom<(c: string) => string>(
          (c) => c,
          (c) => `client authentication failed for credential ${c}`,
          (c) => `credential=${c};`,
        ),
        async (secret, shape) => {
          echo = shape;
          const clientId = `basic-echo-${clients++}`;
          const client = createServiceClient<FixturePaths>(globalService, { clientId, clientSecret: secret, tokenUrl: `${server.url}/as/token.oauth2`, baseUrl: server.url, retry: false, env: {} });
          const error = await client.GET("/identity/v1/users").then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(GreenLakeAuthError);
          const credential = received;
          expect(Buffer.from(credential, "base64").toString("latin1")).toMatch(new RegExp(`^${clientId}:`));
          const shown = `${(error as Error).message}\n${(error as Error).stack}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`;
          // The credential's first 8 characters name only the client id; every later piece spells the secret.
          for (let i = 8; i + 8 <= credential.length; i += 4) expect(shown).not.toContain(credential.slice(i, i + 8));
        },
      ),
      { numRuns: 40 },
    );
  });
});

/**
 * The local issuer answers any Authorization header with an OAuth error, never
 * by throwing: a Basic header whose parts are not valid form-urlencoding (a
 * lone `%`) is a client that failed authentication (401 invalid_client), not a
 * 500 from the mocks.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TokenIssuer } from "../../src/testing/issuer.js";

const credentials = { clientId: "client-1", clientSecret: "s3cret", workspaceId: "0123456789abcdef0123456789abcdef" };
const form = { "content-type": "application/x-www-form-urlencoded" };
const path = `/authorization/v2/oauth2/${credentials.workspaceId}/token`;
const basic = (text: string) => `Basic ${Buffer.from(text, "utf8").toString("base64")}`;

describe("local issuer and hostile Basic credentials", () => {
  it("a Basic header with a malformed percent escape gets 401 invalid_client", () => {
    const issuer = new TokenIssuer(credentials, 60);
    const reply = issuer.handle("POST", path, { ...form, authorization: basic("client-1:%zz") }, "grant_type=client_credentials");
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: "invalid_client" });
  });

  it("property: any Basic id and secret get an OAuth answer (200 only for the right pair), never a throw", () => {
    const text = fc.string({ unit: fc.constantFrom("%", "z", "2", "G", ":", "+", "é", "c", "1", "-", "s", "3", "r", "e", "t") });
    fc.assert(
      fc.property(text, text, (id, secret) => {
        const issuer = new TokenIssuer(credentials, 60);
        const reply = issuer.handle("POST", path, { ...form, authorization: basic(`${id}:${secret}`) }, "grant_type=client_credentials");
        expect([200, 401]).toContain(reply.status);
        if (reply.status === 200) expect(id === "client-1" && secret === "s3cret").toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT, TokenIssuer } from "../../src/testing/issuer.js";

const credentials = { clientId: "client-1", clientSecret: "s3cret", workspaceId: "0123456789abcdef0123456789abcdef" };
const tenant = "fedcba9876543210fedcba9876543210";
const form = { "content-type": "application/x-www-form-urlencoded" };
const workspacePath = `/authorization/v2/oauth2/${credentials.workspaceId}/token`;

function issuer(clock = { now: 1_000_000 }, lifetime = 60): TokenIssuer {
  return new TokenIssuer(credentials, lifetime, () => clock.now);
}

function body(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function clientCredentials(i: TokenIssuer, secret = credentials.clientSecret) {
  return i.handle("POST", workspacePath, form, body({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: secret }));
}

function accessToken(reply: { body: unknown }): string {
  return (reply.body as { access_token: string }).access_token;
}

describe("local token issuer", () => {
  it("issues a short-lived bearer token for client credentials in the form body", () => {
    const i = issuer();
    const reply = clientCredentials(i);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ token_type: "Bearer", expires_in: 60 });
    expect(i.verify(accessToken(reply))).toMatchObject({ workspaceId: credentials.workspaceId, grant: "client_credentials" });
  });

  it("accepts HTTP Basic at the older /as/token.oauth2 issuer", () => {
    const i = issuer();
    const basic = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString("base64")}`;
    const reply = i.handle("POST", "/as/token.oauth2", { ...form, authorization: basic }, body({ grant_type: "client_credentials" }));
    expect(reply.status).toBe(200);
    expect(i.verify(accessToken(reply))?.workspaceId).toBe(credentials.workspaceId);
  });

  it("rejects a wrong secret with an OAuth2 invalid_client error and issues nothing", () => {
    const i = issuer();
    const reply = clientCredentials(i, "guessed-Secret-9");
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: "invalid_client" });
    expect(JSON.stringify(reply.body)).not.toContain("guessed-Secret-9");
    expect(i.stats).toMatchObject({ tokenRequests: 1, clientCredentialsGrants: 0, rejected: 1 });
  });

  it("refuses client credentials at another workspace's issuer", () => {
    const reply = issuer().handle("POST", `/authorization/v2/oauth2/${tenant}/token`, form, body({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret }));
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: "invalid_client" });
  });

  it("forgets tokens once they expire", () => {
    const clock = { now: 1_000_000 };
    const i = issuer(clock, 60);
    const token = accessToken(clientCredentials(i));
    clock.now += 59_000;
    expect(i.verify(token)).toBeDefined();
    clock.now += 1_000;
    expect(i.verify(token)).toBeUndefined();
  });

  it("exchanges one of its tokens for a token scoped to the tenant workspace in the URL", () => {
    const i = issuer();
    const subject = accessToken(clientCredentials(i));
    const reply = i.handle(
      "POST",
      `/authorization/v2/oauth2/${tenant}/token`,
      form,
      body({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: "Bearer" });
    const exchanged = accessToken(reply);
    expect(exchanged).not.toBe(subject);
    expect(i.verify(exchanged)).toMatchObject({ workspaceId: tenant, grant: "token-exchange" });
    expect(i.stats.tokenExchanges).toBe(1);
  });

  it("refuses to exchange a token it did not issue, or of another type", () => {
    const i = issuer();
    const subject = accessToken(clientCredentials(i));
    const path = `/authorization/v2/oauth2/${tenant}/token`;
    const forged = i.handle("POST", path, form, body({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: "forged", subject_token_type: ACCESS_TOKEN_TYPE }));
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ error: "invalid_grant" });
    const wrongType = i.handle("POST", path, form, body({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subject, subject_token_type: "urn:ietf:params:oauth:token-type:id_token" }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ error: "invalid_request" });
  });

  it("answers unknown grants and non-form bodies with OAuth2 errors", () => {
    const i = issuer();
    expect(i.handle("POST", workspacePath, form, body({ grant_type: "password" })).body).toMatchObject({ error: "unsupported_grant_type" });
    expect(i.handle("POST", workspacePath, { "content-type": "application/json" }, "{}").status).toBe(400);
    expect(i.handle("GET", workspacePath, form, "").status).toBe(405);
  });

  it("knows its own endpoints", () => {
    expect(TokenIssuer.handles(workspacePath)).toBe(true);
    expect(TokenIssuer.handles("/as/token.oauth2")).toBe(true);
    expect(TokenIssuer.handles("/identity/v1/users")).toBe(false);
  });
});

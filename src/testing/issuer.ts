/**
 * A local OAuth2 token issuer speaking GreenLake's two forms: the workspace
 * issuer `POST /authorization/v2/oauth2/<workspaceId>/token` (client id and
 * secret in the form body) and the older `POST /as/token.oauth2` (HTTP Basic).
 * Grants: client credentials, and RFC 8693 token exchange of a token it issued
 * for one scoped to the tenant workspace named in the URL.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

const WORKSPACE_ISSUER_PATH = /^\/authorization\/v2\/oauth2\/([^/]+)\/token$/;
const SSO_ISSUER_PATH = "/as/token.oauth2";

export interface IssuerCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The API client's workspace, 32 lowercase hex digits. */
  readonly workspaceId: string;
}

export interface IssuedTokenInfo {
  readonly workspaceId: string;
  readonly clientId: string;
  readonly grant: "client_credentials" | "token-exchange";
  readonly expiresAt: number;
}

export interface IssuerStats {
  /** Every request to a token endpoint, accepted or not. */
  readonly tokenRequests: number;
  readonly clientCredentialsGrants: number;
  readonly tokenExchanges: number;
  readonly rejected: number;
}

export interface IssuerReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): IssuerReply {
  // RFC 6749 section 5.1: token responses must not be cached.
  return { status, body, headers: { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache", ...headers } };
}

function oauthError(status: number, error: string, description: string): IssuerReply {
  const headers: Record<string, string> = status === 401 ? { "www-authenticate": 'Basic realm="greenlake-mock"' } : {};
  return reply(status, { error, error_description: description }, headers);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  // RFC 6749 section 2.3.1: both parts are form-urlencoded before Basic encoding.
  const part = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
  try {
    return { id: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1)) };
  } catch {
    // Not form-urlencoded (a lone %): credentials that match no client, so a 401 rather than a thrown URIError.
    return { id: "", secret: "" };
  }
}

export class TokenIssuer {
  readonly #tokens = new Map<string, IssuedTokenInfo>();
  #stats = { tokenRequests: 0, clientCredentialsGrants: 0, tokenExchanges: 0, rejected: 0 };

  constructor(
    readonly credentials: IssuerCredentials,
    /** Lifetime of issued tokens, in seconds. */
    readonly expiresIn: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a request path is one of the issuer's endpoints. */
  static handles(pathname: string): boolean {
    return pathname === SSO_ISSUER_PATH || WORKSPACE_ISSUER_PATH.test(pathname);
  }

  get stats(): IssuerStats {
    return { ...this.#stats };
  }

  /** What the issuer knows of a token it issued and that is still valid; otherwise undefined. */
  verify(token: string): IssuedTokenInfo | undefined {
    const info = this.#tokens.get(token);
    if (info === undefined) return undefined;
    if (info.expiresAt <= this.now()) {
      this.#tokens.delete(token);
      return undefined;
    }
    return info;
  }

  /** Ends one token's life now, as if it had expired: the next call with it gets 401. */
  expire(token: string): void {
    this.#tokens.delete(token);
  }

  /** Forgets every token, as if the issuer had restarted with new keys. */
  revokeAll(): void {
    this.#tokens.clear();
  }

  handle(method: string, pathname: string, headers: Record<string, string | string[] | undefined>, body: string): IssuerReply {
    this.#stats.tokenRequests++;
    const result = this.#handle(method, pathname, headers, body);
    if (result.status !== 200) this.#stats.rejected++;
    return result;
  }

  #handle(method: string, pathname: string, headers: Record<string, string | string[] | undefined>, body: string): IssuerReply {
    if (method !== "POST") return oauthError(405, "invalid_request", "The token endpoint accepts POST only.");
    const contentType = String(headers["content-type"] ?? "");
    if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      return oauthError(400, "invalid_request", "The token request must be application/x-www-form-urlencoded.");
    }
    const form = new URLSearchParams(body);
    const workspaceMatch = WORKSPACE_ISSUER_PATH.exec(pathname);
    const urlWorkspace = workspaceMatch?.[1]?.toLowerCase();
    if (urlWorkspace !== undefined && !/^[0-9a-f]{32}$/.test(urlWorkspace)) {
      return oauthError(400, "invalid_request", "The workspace id in the issuer URL must be 32 hex digits.");
    }

    const basic = basicCredentials(typeof headers.authorization === "string" ? headers.authorization : undefined);
    const bodyId = form.get("client_id") ?? "";
    const bodySecret = form.get("client_secret") ?? "";
    if (basic && bodyId) return oauthError(400, "invalid_request", "Send client credentials either in the Authorization header or in the body, not both.");
    const client = basic ?? (bodyId ? { id: bodyId, secret: bodySecret } : undefined);
    if (client !== undefined && !this.#validClient(client)) {
      return oauthError(401, "invalid_client", "Client authentication failed: unknown client id or wrong secret.");
    }

    const grant = form.get("grant_type");
    if (grant === "client_credentials") {
      if (client === undefined) return oauthError(401, "invalid_client", "Client credentials are required.");
      if (urlWorkspace !== undefined && urlWorkspace !== this.credentials.workspaceId) {
        return oauthError(401, "invalid_client", "The API client does not belong to the workspace in the issuer URL.");
      }
      this.#stats.clientCredentialsGrants++;
      return this.#issue(this.credentials.workspaceId, client.id, "client_credentials");
    }
    if (grant === TOKEN_EXCHANGE_GRANT) {
      if (urlWorkspace === undefined) return oauthError(400, "unsupported_grant_type", "Token exchange is served by the workspace issuer only.");
      if (form.get("subject_token_type") !== ACCESS_TOKEN_TYPE) {
        return oauthError(400, "invalid_request", `subject_token_type must be ${ACCESS_TOKEN_TYPE}.`);
      }
      const subject = this.verify(form.get("subject_token") ?? "");
      if (subject === undefined) return oauthError(400, "invalid_grant", "The subject token was not issued here or has expired.");
      this.#stats.tokenExchanges++;
      return this.#issue(urlWorkspace, subject.clientId, "token-exchange", { issued_token_type: ACCESS_TOKEN_TYPE });
    }
    return oauthError(400, grant ? "unsupported_grant_type" : "invalid_request", grant ? `Grant type ${grant} is not supported.` : "grant_type is required.");
  }

  #validClient(client: { id: string; secret: string }): boolean {
    return client.id === this.credentials.clientId && sameSecret(client.secret, this.credentials.clientSecret);
  }

  #issue(workspaceId: string, clientId: string, grant: IssuedTokenInfo["grant"], extra: Record<string, string> = {}): IssuerReply {
    const token = `glmock.${randomBytes(24).toString("base64url")}`;
    this.#tokens.set(token, { workspaceId, clientId, grant, expiresAt: this.now() + this.expiresIn * 1000 });
    return reply(200, { access_token: token, token_type: "Bearer", expires_in: this.expiresIn, ...extra });
  }
}

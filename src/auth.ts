/**
 * Bearer tokens: OAuth2 client credentials (simple-oauth2) against the
 * workspace or SSO issuer, RFC 8693 exchange for MSP tenants, or a token the
 * caller supplies. Tokens are cached per (issuer, client, workspace), refreshed
 * ahead of expiry, and fetched once however many calls wait for them.
 */
import { createHash } from "node:crypto";
import { backoffDelay } from "./retry.js";
import { sleep } from "./timeouts.js";
import { GreenLakeAuthError, GreenLakeConfigurationError, GreenLakeConnectionError, GreenLakeError, GreenLakeTimeoutError } from "./errors.js";
import { redactSecrets, rememberSecret, type Log } from "./logging.js";
import type { SharedState } from "./shared-state.js";
import {
  SSO_ISSUER,
  WORKSPACE_ISSUER,
  checkClientId,
  checkClientSecret,
  checkUrl,
  normalizeWorkspaceId,
  resolveProvider,
  type Credentials,
  type Provider,
} from "./options.js";

export interface TokenSource {
  /** The current token: a plain string while the cached one is fresh, so callers skip a wait. */
  token(): string | Promise<string>;
  /** Forgets `token` if it is still the cached one (the API answered 401). */
  invalidate(token: string): void;
  /** Whether a call that got 401 may be replayed with a new token. */
  readonly renewable: boolean;
}

export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime in seconds as the issuer stated it. */
  readonly expiresIn: number;
}

const DEFAULT_LIFETIME_S = 900;
const TOKEN_ATTEMPTS = 3;
const BACKGROUND_RETRY_MS = 10_000; // GreenLake workspace tokens live 15 minutes
const DEFAULT_TIMEOUT_MS = 60_000; // the client's own default timeoutMs

/** Refresh this long before expiry: a fifth of the lifetime, between 10 s and 5 minutes. */
function refreshMargin(lifetimeMs: number): number {
  return Math.min(300_000, Math.max(10_000, lifetimeMs / 5));
}

/**
 * A cached token with single-flight refresh: while fresh it is returned
 * synchronously; in the refresh window the old token is still served while
 * one background request fetches the next; once expired callers share one request.
 */
export class CachedTokenSource implements TokenSource {
  readonly renewable = true;
  #value: string | undefined;
  #refreshAt = 0;
  #expiresAt = 0;
  #inflight: Promise<string> | undefined;
  #nextBackgroundTry = 0;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly log: Log,
  ) {}

  token(): string | Promise<string> {
    const value = this.#value;
    if (value !== undefined) {
      const now = Date.now();
      if (now < this.#refreshAt) return value;
      if (now < this.#expiresAt) {
        if (this.#inflight === undefined && now >= this.#nextBackgroundTry) {
          this.#fetch().catch((e: unknown) => {
            // Keep serving the valid token; try again a little later rather than on every call.
            this.#nextBackgroundTry = Date.now() + BACKGROUND_RETRY_MS;
            this.log.warn(`Token refresh ahead of expiry failed; the current token stays in use: ${describe(e)}`);
          });
        }
        return value;
      }
    }
    return this.#inflight ?? this.#fetch();
  }

  invalidate(token: string): void {
    if (this.#value === token) {
      this.#value = undefined;
      this.#refreshAt = 0;
      this.#expiresAt = 0;
    }
  }

  #fetch(): Promise<string> {
    const started = Date.now();
    const promise = this.issue().then(
      (issued) => {
        const lifetimeMs = (issued.expiresIn > 0 ? issued.expiresIn : DEFAULT_LIFETIME_S) * 1000;
        this.#value = issued.accessToken;
        this.#expiresAt = started + lifetimeMs;
        this.#refreshAt = this.#expiresAt - refreshMargin(lifetimeMs);
        this.#inflight = undefined;
        if (this.log.debugEnabled) this.log.debug(`Obtained access token valid for ${Math.round(lifetimeMs / 1000)} s`);
        return issued.accessToken;
      },
      (error: unknown) => {
        this.#inflight = undefined;
        throw error;
      },
    );
    this.#inflight = promise;
    return promise;
  }
}

/** A token the caller manages: a fixed string, or a function asked before every request. */
class SuppliedTokenSource implements TokenSource {
  readonly renewable: boolean;
  #last = "";
  constructor(private readonly supplied: Provider<string>) {
    this.renewable = typeof supplied === "function";
    if (typeof supplied === "string") rememberSecret(supplied);
  }
  token(): string | Promise<string> {
    const supplied = this.supplied;
    if (typeof supplied === "string") return supplied;
    return Promise.resolve(supplied()).then((t) => {
      if (typeof t !== "string" || t === "") throw new GreenLakeConfigurationError("The token provider returned no token (expected a non-empty string).");
      if (t !== this.#last) {
        this.#last = t;
        rememberSecret(t);
      }
      return t;
    });
  }
  invalidate(): void {}
}

function describe(error: unknown): string {
  return error instanceof Error ? redactSecrets(error.message) : "unknown error";
}

interface Issuer {
  readonly url: URL;
  /** Workspace issuers take the client id and secret in the form body; the SSO issuer takes HTTP Basic. */
  readonly method: "body" | "header";
}

function issuerFor(tokenUrl: string | undefined, workspaceId: string | undefined): Issuer {
  const href = tokenUrl ?? (workspaceId === undefined ? SSO_ISSUER : WORKSPACE_ISSUER.replace("{workspaceId}", workspaceId));
  const url = new URL(href);
  return { url, method: /\/as\/token\.oauth2$/.test(url.pathname) ? "header" : "body" };
}

/** The tenant's issuer: the parent's workspace issuer with the tenant's workspace id in place. */
function tenantIssuerUrl(parentTokenUrl: string | undefined, tenantWorkspaceId: string): string {
  if (parentTokenUrl === undefined) return WORKSPACE_ISSUER.replace("{workspaceId}", tenantWorkspaceId);
  return parentTokenUrl.replace(/\/oauth2\/[0-9a-f]{32}\/token(\?|$)/i, `/oauth2/${tenantWorkspaceId}/token$1`);
}

// simple-oauth2 (with joi and wreck) is most of the SDK's import time, and a
// client given a static token never needs it: load it on the first token request.
let simpleOAuth2: Promise<typeof import("simple-oauth2")> | undefined;
const loadSimpleOAuth2 = () => (simpleOAuth2 ??= import("simple-oauth2"));

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
}

async function requestToken(
  issuer: Issuer,
  client: { id: string; secret: string },
  params: Record<string, string>,
  what: string,
  timeoutMs: number,
): Promise<IssuedToken> {
  const { ClientCredentials } = await loadSimpleOAuth2();
  const oauth = new ClientCredentials({
    client: { id: client.id, secret: client.secret },
    auth: { tokenHost: issuer.url.origin, tokenPath: issuer.url.pathname + issuer.url.search },
    options: { authorizationMethod: issuer.method, bodyFormat: "form" },
    // Each attempt gets the client's timeoutMs, as API calls do; wreck reads an absent timeout as none.
    http: timeoutMs > 0 ? { timeout: timeoutMs } : {},
  });
  let payload: TokenResponse | undefined;
  for (let attempt = 1; payload === undefined; attempt++) {
    try {
      const token = await oauth.getToken(params as never);
      payload = token.token as TokenResponse;
    } catch (error) {
      // Issuer overload or outage is worth two more tries; a rejection of the credentials is not.
      const status = (error as { output?: { statusCode?: number } })?.output?.statusCode;
      const transient = status === undefined || status === 429 || status >= 500;
      if (!transient || attempt >= TOKEN_ATTEMPTS) throw tokenError(error, issuer, what, [client.secret, params.subject_token], timeoutMs);
      await sleep(backoffDelay(attempt, 250, 2000));
    }
  }
  if (typeof payload.access_token !== "string" || payload.access_token === "") {
    throw new GreenLakeAuthError(`${what} at ${issuer.url.host}${issuer.url.pathname} returned no access_token.`, { method: "POST", path: issuer.url.pathname });
  }
  rememberSecret(payload.access_token);
  const expiresIn = Number(payload.expires_in);
  return { accessToken: payload.access_token, expiresIn: Number.isFinite(expiresIn) ? expiresIn : DEFAULT_LIFETIME_S };
}

/** Turns simple-oauth2's (Boom) failure into a GreenLakeError that carries no credential. */
function tokenError(error: unknown, issuer: Issuer, what: string, secrets: readonly (string | undefined)[], timeoutMs: number): GreenLakeError {
  const where = `${issuer.url.host}${issuer.url.pathname}`;
  // An issuer may echo what it was sent; scrub the exact values as well as credential-shaped text.
  const scrub = (text: string): string => {
    let out = redactSecrets(text);
    for (const secret of secrets) if (secret) out = out.replaceAll(secret, "[REDACTED]");
    return out;
  };
  const boom = error as { isBoom?: boolean; output?: { statusCode?: number }; data?: { payload?: unknown } | null };
  // wreck's own time limit: a 504 with no response behind it.
  if (boom?.isBoom && boom.output?.statusCode === 504 && boom.data == null) {
    return new GreenLakeTimeoutError(`${what} at ${where} got no response within ${timeoutMs} ms (timeoutMs).`, { method: "POST", path: issuer.url.pathname });
  }
  if (boom?.isBoom && boom.output?.statusCode !== undefined && boom.data?.payload !== undefined) {
    const status = boom.output.statusCode;
    const body = boom.data.payload;
    let detail = "";
    if (body !== null && typeof body === "object") {
      const b = body as Record<string, unknown>;
      const code = typeof b.error === "string" ? b.error : typeof b.errorCode === "string" ? b.errorCode : "";
      const text = typeof b.error_description === "string" ? b.error_description : typeof b.message === "string" ? b.message : "";
      detail = [code, text].filter(Boolean).join(": ");
    }
    const hint =
      status === 400 || status === 401
        ? " Check clientId, clientSecret and workspaceId (the API client must belong to that workspace), or tokenUrl."
        : "";
    return new GreenLakeAuthError(scrub(`${what} at ${where} failed with ${status}${detail ? ` ${detail.slice(0, 300)}` : ""}.${hint}`), {
      method: "POST",
      path: issuer.url.pathname,
      status,
    });
  }
  return new GreenLakeConnectionError(scrub(`${what} at ${where} could not connect: ${describe(error)}`), { method: "POST", path: issuer.url.pathname });
}

// Process-wide, so every client built from the same plain credentials shares one token.
const sharedSources = new Map<string, CachedTokenSource>();

/** Client credentials grant for the configured issuer; providers are resolved at each token request. */
function clientCredentialsSource(
  credentials: Extract<Credentials, { kind: "client-credentials" }>,
  log: Log,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  shared?: SharedState,
): CachedTokenSource {
  const { clientId, clientSecret, workspaceId, tokenUrl } = credentials;
  const issueHere = async (): Promise<IssuedToken> => {
    const id = checkClientId(await resolveProvider(clientId));
    const secret = checkClientSecret(await resolveProvider(clientSecret));
    rememberSecret(secret);
    const ws = workspaceId === undefined ? undefined : normalizeWorkspaceId(await resolveProvider(workspaceId));
    const issuer = issuerFor(tokenUrl === undefined ? undefined : checkUrl(tokenUrl, "tokenUrl").href, ws);
    if (log.debugEnabled) log.debug(`Requesting access token from ${issuer.url.host}${issuer.url.pathname}`);
    return requestToken(issuer, { id, secret }, {}, "Token request", timeoutMs);
  };
  const issue = shared === undefined ? issueHere : shared.tokenIssuer(credentials, issueHere);
  if (typeof clientId !== "string" || typeof clientSecret !== "string" || typeof workspaceId === "function") {
    return new CachedTokenSource(issue, log);
  }
  // The secret's digest is part of the key so a corrected secret is not served a source built on the old one;
  // the timeout is, so each client's token requests keep its own limit.
  const secretDigest = createHash("sha256").update(clientSecret).digest("base64url").slice(0, 16);
  const key = `${issuerFor(tokenUrl, workspaceId).url.href}\n${clientId}\n${workspaceId ?? ""}\n${secretDigest}\n${timeoutMs}${shared ? "\nshared" : ""}`;
  let source = sharedSources.get(key);
  if (source === undefined) {
    source = new CachedTokenSource(issue, log);
    sharedSources.set(key, source);
  }
  return source;
}

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** RFC 8693: trades the parent (MSP) token for one scoped to a tenant workspace, at the tenant's issuer. */
export function tokenExchangeSource(
  parent: TokenSource,
  credentials: Credentials,
  tenantWorkspaceId: string,
  log: Log,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): CachedTokenSource {
  const tenant = normalizeWorkspaceId(tenantWorkspaceId, "tenant workspace id");
  const parentUrl = credentials.kind === "client-credentials" ? credentials.tokenUrl : undefined;
  const issue = async (): Promise<IssuedToken> => {
    const subject = await parent.token();
    const issuer = issuerFor(tenantIssuerUrl(parentUrl, tenant), tenant);
    const client =
      credentials.kind === "client-credentials"
        ? { id: checkClientId(await resolveProvider(credentials.clientId)), secret: checkClientSecret(await resolveProvider(credentials.clientSecret)) }
        : { id: "", secret: "" };
    if (log.debugEnabled) log.debug(`Exchanging access token for tenant workspace at ${issuer.url.host}${issuer.url.pathname}`);
    return requestToken(
      { url: issuer.url, method: "body" },
      client,
      { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE },
      "Token exchange for tenant workspace",
      timeoutMs,
    );
  };
  return new CachedTokenSource(issue, log);
}

export function tokenSourceFor(credentials: Credentials, log: Log, timeoutMs = DEFAULT_TIMEOUT_MS, shared?: SharedState): TokenSource {
  return credentials.kind === "static" ? new SuppliedTokenSource(credentials.token) : clientCredentialsSource(credentials, log, timeoutMs, shared);
}

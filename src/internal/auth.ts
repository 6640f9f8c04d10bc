/**
 * Bearer tokens: OAuth2 client credentials (simple-oauth2) against the
 * workspace or SSO issuer, RFC 8693 exchange for MSP tenants, or a token the
 * caller supplies. Each client owns its token: cached, refreshed ahead of
 * expiry, fetched once however many calls wait for it. Token requests follow
 * the client's time limit, retry policy and logger, like any other call.
 */
import { configurationError, GreenLakeAuthError, malformedTokenError, noAccessTokenError, providerTokenError, responseTooLargeError, tokenRequestError } from "../errors.js";
import type { Log } from "../logging.js";
import { loadClientCredentials } from "./oauth-client.js";
import {
  SSO_ISSUER,
  WORKSPACE_ISSUER,
  checkClientId,
  checkClientSecret,
  checkUrl,
  DEFAULT_MAX_RESPONSE_BYTES,
  normalizeWorkspaceId,
  resolveProvider,
  type Credentials,
} from "../options.js";
import type { IssuedToken } from "./credentials.js";
import type { Proxy } from "./proxy.js";
import { registerSecret, revealSecret, Secret, silenceLibraryDebug } from "./redaction.js";
import { parseRetryAfter, type RetryPolicy } from "./retry.js";
import { sleep, untilAborted, withinDeadline } from "./timeouts.js";

export type { IssuedToken };

/** A store that lets processes of one API client share a token (the shared state, when configured). */
export interface SharedTokenStore {
  tokenIssuer(credentials: Extract<Credentials, { kind: "client-credentials" }>, issue: () => Promise<IssuedToken>): () => Promise<IssuedToken>;
}

export interface TokenSource {
  /** The current token: a plain string while the cached one is fresh, so callers skip a wait. */
  token(signal?: AbortSignal): string | Promise<string>;
  /** Forgets `token` if it is still the cached one (the API answered 401). */
  invalidate(token: string): void;
  /** Whether a call that got 401 may be replayed with a new token. */
  readonly renewable: boolean;
}


/** How token requests are made: the client's own limit, retries and logger. */
export interface TokenRequestContext {
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly log: Log;
  /** The client's proxy, which token requests go through as API calls do. */
  readonly proxy?: Proxy | undefined;
  /** Longest answer body read, as for API calls; default DEFAULT_MAX_RESPONSE_BYTES. */
  readonly maxResponseBytes?: number | undefined;
}

const DEFAULT_LIFETIME_S = 900;
/** No token is kept longer than a day, whatever the issuer says. */
const MAX_LIFETIME_S = 86_400;

/**
 * The one rule for a token's stated lifetime (`expires_in`), for the SDK's
 * cache and any other: a positive finite number of seconds is kept up to a
 * day; anything else (0, negative, not a number, absent) is taken as 15 minutes.
 */
export function tokenLifetimeSeconds(stated: unknown): number {
  const seconds = typeof stated === "string" && stated.trim() !== "" ? Number(stated) : stated;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) return DEFAULT_LIFETIME_S;
  return Math.min(seconds, MAX_LIFETIME_S);
}

// What an HTTP header can carry and a bearer token is made of: visible ASCII only.
const TOKEN_CHARS = /^[\x21-\x7E]+$/;
/**
 * Longest token accepted. GreenLake's tokens are a few KB; servers refuse
 * request headers past 8-16 KB, and every token kept is indexed for redaction
 * by its pieces, so a megabyte "token" would cost memory and time on every output.
 */
export const MAX_ACCESS_TOKEN_CHARS = 8192;

/** Whether `token` may go in an Authorization header: visible ASCII, not longer than MAX_ACCESS_TOKEN_CHARS. */
export function isWellFormedToken(token: string): boolean {
  return token.length <= MAX_ACCESS_TOKEN_CHARS && TOKEN_CHARS.test(token);
}

/** A token from an issuer or a provider, checked where it enters: one with controls or non-ASCII, or too long, is refused unshown. */
export function checkAccessToken(token: string, from: string): string {
  if (!isWellFormedToken(token)) throw malformedTokenError(from);
  return token;
}
const BACKGROUND_RETRY_MS = 10_000;
/** Below this lifetime a token is not refreshed ahead: a refresh would cost more requests than the lifetime allows. */
const REFRESH_AHEAD_MIN_LIFETIME_MS = 50_000;

/** Refresh this long before expiry: a fifth of the lifetime, between 10 s and 5 minutes. */
function refreshMargin(lifetimeMs: number): number {
  if (lifetimeMs < REFRESH_AHEAD_MIN_LIFETIME_MS) return 0;
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
    private readonly now: () => number = Date.now,
  ) {}

  /** When the current token expires (epoch ms; 0 while there is none), by the lifetime rules above: for callers that keep it elsewhere. */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /** When the current token is due for renewal (epoch ms; 0 while there is none). */
  get refreshAt(): number {
    return this.#refreshAt;
  }

  token(signal?: AbortSignal): string | Promise<string> {
    const value = this.#value;
    if (value !== undefined) {
      const now = this.now();
      if (now < this.#refreshAt) return value;
      if (now < this.#expiresAt) {
        if (this.#inflight === undefined && now >= this.#nextBackgroundTry) {
          this.#fetch().catch((e: unknown) => {
            // Keep serving the valid token; try again a little later rather than on every call.
            this.#nextBackgroundTry = this.now() + BACKGROUND_RETRY_MS;
            this.log.warn(`Token refresh ahead of expiry failed; the current token stays in use: ${(e as Error)?.message ?? "unknown error"}`);
          });
        }
        return value;
      }
    }
    return untilAborted(this.#inflight ?? this.#fetch(), signal);
  }

  invalidate(token: string): void {
    if (this.#value === token) {
      this.#value = undefined;
      this.#refreshAt = 0;
      this.#expiresAt = 0;
    }
  }

  #fetch(): Promise<string> {
    const started = this.now();
    const promise = this.issue().then(
      (issued) => {
        const seconds = tokenLifetimeSeconds(issued.expiresIn);
        const lifetimeMs = seconds * 1000;
        this.#value = issued.accessToken;
        this.#expiresAt = started + lifetimeMs;
        this.#refreshAt = this.#expiresAt - refreshMargin(lifetimeMs);
        this.#inflight = undefined;
        if (this.log.debugEnabled) this.log.debug(`Obtained access token valid for ${Math.round(seconds)} s`);
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
  constructor(private readonly supplied: Secret | (() => string | Promise<string>)) {
    this.renewable = typeof supplied === "function";
  }
  token(signal?: AbortSignal): string | Promise<string> {
    const supplied = this.supplied;
    if (supplied instanceof Secret) return supplied.reveal();
    return untilAborted(
      Promise.resolve(supplied()).then((t) => {
        if (typeof t !== "string" || t === "") throw providerTokenError();
        if (t !== this.#last) {
          // A token too long to send is refused before it is indexed for redaction (it is never shown either way).
          if (t.length <= MAX_ACCESS_TOKEN_CHARS) registerSecret(t);
          checkAccessToken(t, "The token provider");
          this.#last = t;
        }
        return t;
      }),
      signal,
    );
  }
  invalidate(): void {}
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

// The workspace id in a workspace issuer's URL, as 32 hex digits or a hyphenated UUID.
const ISSUER_WORKSPACE = /\/oauth2\/(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/token(\?|$)/i;

/**
 * The tenant's issuer: the parent's workspace issuer with the tenant's workspace id in place. A tokenUrl
 * that names no workspace is refused: exchanging there would not make the token the tenant's.
 */
function tenantIssuerUrl(parentTokenUrl: string | undefined, tenantWorkspaceId: string): string {
  if (parentTokenUrl === undefined) return WORKSPACE_ISSUER.replace("{workspaceId}", tenantWorkspaceId);
  if (!ISSUER_WORKSPACE.test(parentTokenUrl)) {
    throw configurationError(
      "forTenant needs a workspace issuer as tokenUrl (.../oauth2/<workspace id>/token) to put the tenant's workspace id in; " +
        "this client's tokenUrl names no workspace, so an exchange there would not give a token for the tenant. Set workspaceId instead of tokenUrl, or a workspace issuer's URL.",
    );
  }
  return parentTokenUrl.replace(ISSUER_WORKSPACE, `/oauth2/${tenantWorkspaceId}/token$1`);
}

/**
 * simple-oauth2's grant, loaded on the first token request (a client given a
 * static token never needs it), without joi. Its debug output prints the
 * Basic header and the form body (client secret, exchanged token): off.
 */
async function oauthGrant(): Promise<Awaited<ReturnType<typeof loadClientCredentials>>> {
  const ClientCredentials = await loadClientCredentials();
  silenceLibraryDebug("simple-oauth2", "simple-oauth2:*");
  return ClientCredentials;
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
}

/**
 * Status and `Retry-After` of simple-oauth2's (Boom) failure, when the issuer answered. wreck keeps the
 * answer on the failure both when its status was an error and when its body could not be read as JSON
 * (an overloaded issuer's HTML page or empty body is still its 429 or 503).
 */
function issuerAnswer(error: unknown): { status: number | undefined; retryAfterMs: number | undefined } {
  const boom = error as { isBoom?: boolean; output?: { statusCode?: number }; data?: { isResponseError?: boolean; res?: { statusCode?: unknown; headers?: Record<string, unknown> } } | null };
  if (boom?.isBoom !== true) return { status: undefined, retryAfterMs: undefined };
  const res = boom.data?.res;
  const answered = typeof res?.statusCode === "number" && res.statusCode >= 400 ? res.statusCode : undefined;
  const header = answered === undefined ? undefined : res?.headers?.["retry-after"];
  // wreck's 406 (not a JSON type) or 502 (not parseable) for a success that is not JSON: asking again will not change that.
  const unreadable = boom.output?.statusCode === 406 || (boom.output?.statusCode === 502 && (boom.data as { payload?: unknown } | null)?.payload !== undefined);
  const notJson = unreadable ? 406 : undefined;
  return {
    status: answered ?? (boom.data?.isResponseError === true ? boom.output?.statusCode : notJson),
    retryAfterMs: typeof header === "string" ? parseRetryAfter(header) : undefined,
  };
}

/** The HTTP Basic credential simple-oauth2 sends (its "strict" encoding): the secret in a spelling anyone can decode. */
function basicCredential(id: string, secret: string): string {
  const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, "+").replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64");
}

async function requestToken(
  issuer: Issuer,
  client: { id: string; secret: string },
  params: Record<string, string>,
  what: string,
  context: TokenRequestContext,
): Promise<IssuedToken> {
  const ClientCredentials = await oauthGrant();
  const { timeoutMs, retry, log } = context;
  // An issuer or gateway that echoes the Basic credential would otherwise show the secret, base64-encoded.
  if (issuer.method === "header" && client.secret !== "") registerSecret(basicCredential(client.id, client.secret));
  const maxBytes = context.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const agent = context.proxy === undefined ? undefined : await context.proxy.agentFor(issuer.url);
  const oauth = new ClientCredentials({
    client: { id: client.id, secret: client.secret },
    auth: { tokenHost: issuer.url.origin, tokenPath: issuer.url.pathname + issuer.url.search },
    options: { authorizationMethod: issuer.method, bodyFormat: "form" },
    // wreck's own limits (to the answer, then to its end) back up the deadline below; it reads an absent timeout as none.
    http: {
      ...(timeoutMs > 0 ? { timeout: timeoutMs } : {}),
      ...(agent === undefined ? {} : { agent }),
      ...(Number.isFinite(maxBytes) ? { maxBytes } : {}),
    } as never,
  });
  const where = `${issuer.url.host}${issuer.url.pathname}`;
  let payload: TokenResponse | undefined;
  for (let attempt = 1; payload === undefined; attempt++) {
    if (log.debugEnabled) log.debug(`${what} at ${where}${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
    try {
      const token = await withinDeadline(oauth.getToken(params as never), timeoutMs, undefined);
      payload = token.token as TokenResponse;
    } catch (error) {
      // wreck's refusal of a body past maxBytes: the same answer would come again.
      if ((error as { isBoom?: boolean; output?: { statusCode?: number } })?.isBoom === true && (error as { output: { statusCode?: number } }).output.statusCode === 413 && !(error as { data?: unknown }).data) {
        throw responseTooLargeError("POST", issuer.url.href, maxBytes);
      }
      // Not wreck's (which wraps every failure to connect or read): simple-oauth2 found no token object in the
      // JSON the issuer answered (null, a number, a string). The same answer would come again.
      if ((error as { isBoom?: boolean })?.isBoom !== true && (error as { name?: string })?.name !== "TimeoutError") {
        throw noAccessTokenError(what, where, issuer.url.pathname);
      }
      const { status, retryAfterMs } = issuerAnswer(error);
      const timedOut = (error as { name?: string })?.name === "TimeoutError";
      const delay = retry.afterTokenFailure(status, attempt, retryAfterMs);
      if (delay === undefined) throw tokenRequestError(error, { what, where, path: issuer.url.pathname, timeoutMs, timedOut, status: status === 406 ? undefined : status });
      if (log.infoEnabled) log.info(`${what} at ${where} ${status === undefined ? (timedOut ? "timed out" : "failed") : `got ${status}`}; retry ${attempt} in ${delay} ms`);
      await sleep(delay);
    }
  }
  if (typeof payload.access_token !== "string" || payload.access_token === "") {
    throw noAccessTokenError(what, where, issuer.url.pathname);
  }
  if (payload.access_token.length <= MAX_ACCESS_TOKEN_CHARS) registerSecret(payload.access_token);
  return { accessToken: checkAccessToken(payload.access_token, `${what} at ${where}`), expiresIn: tokenLifetimeSeconds(payload.expires_in) };
}

/**
 * Client credentials grant for the configured issuer; providers are resolved
 * at each token request. With a shared store, processes of one API client
 * take turns asking and share the token they got.
 */
function clientCredentialsSource(
  credentials: Extract<Credentials, { kind: "client-credentials" }>,
  context: TokenRequestContext,
  shared: SharedTokenStore | undefined,
): CachedTokenSource {
  const { clientId, clientSecret, workspaceId, tokenUrl } = credentials;
  const issueHere = async (): Promise<IssuedToken> => {
    const id = checkClientId(await resolveProvider(clientId));
    const secret = checkClientSecret(await revealSecret(clientSecret));
    registerSecret(secret);
    const ws = workspaceId === undefined ? undefined : normalizeWorkspaceId(await resolveProvider(workspaceId));
    const issuer = issuerFor(tokenUrl === undefined ? undefined : checkUrl(tokenUrl, "tokenUrl").href, ws);
    return requestToken(issuer, { id, secret }, {}, "Token request", context);
  };
  const issue = shared === undefined ? issueHere : shared.tokenIssuer(credentials, issueHere);
  return new CachedTokenSource(issue, context.log);
}

/**
 * One client-credentials token with its lifetime, made exactly as a client's
 * own token requests are (simple-oauth2, time limit, retries, proxy): for
 * callers that keep tokens elsewhere, such as the command line's per-user cache.
 */
export async function requestClientCredentialsToken(
  credentials: { clientId: string; clientSecret: string; workspaceId?: string | undefined; tokenUrl?: string | undefined },
  context: TokenRequestContext,
): Promise<IssuedToken> {
  const id = checkClientId(credentials.clientId);
  const secret = checkClientSecret(credentials.clientSecret);
  registerSecret(secret);
  const ws = credentials.workspaceId === undefined ? undefined : normalizeWorkspaceId(credentials.workspaceId);
  const issuer = issuerFor(credentials.tokenUrl === undefined ? undefined : checkUrl(credentials.tokenUrl, "tokenUrl").href, ws);
  return requestToken(issuer, { id, secret }, {}, "Token request", context);
}

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** RFC 8693: trades the parent (MSP) token for one scoped to a tenant workspace, at the tenant's issuer. */
export function tokenExchangeSource(
  parent: TokenSource,
  credentials: Credentials,
  tenantWorkspaceId: string,
  context: TokenRequestContext,
): CachedTokenSource {
  const tenant = normalizeWorkspaceId(tenantWorkspaceId, "tenant workspace id");
  const parentUrl = credentials.kind === "client-credentials" ? credentials.tokenUrl : undefined;
  // Checked here, so forTenant refuses a tokenUrl it cannot point at the tenant before any call.
  const tenantUrl = tenantIssuerUrl(parentUrl, tenant);
  const exchange = async (subject: string): Promise<IssuedToken> => {
    const issuer = issuerFor(tenantUrl, tenant);
    const client =
      credentials.kind === "client-credentials"
        ? { id: checkClientId(await resolveProvider(credentials.clientId)), secret: checkClientSecret(await revealSecret(credentials.clientSecret)) }
        : { id: "", secret: "" };
    return requestToken(
      { url: issuer.url, method: "body" },
      client,
      { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE },
      "Token exchange for tenant workspace",
      context,
    );
  };
  const issue = async (): Promise<IssuedToken> => {
    const subject = await parent.token();
    try {
      return await exchange(subject);
    } catch (error) {
      // The issuer refused the MSP token (revoked, secret rotated): once, with a new one rather than the cached one until it expires.
      const status = error instanceof GreenLakeAuthError ? error.status : undefined;
      if ((status !== 400 && status !== 401) || !parent.renewable || !context.retry.replaysUnauthorized) throw error;
      parent.invalidate(subject);
      const renewed = await parent.token();
      if (renewed === subject) throw error;
      return exchange(renewed);
    }
  };
  return new CachedTokenSource(issue, context.log);
}

/** The token source a client owns, for its credentials (shared with other processes through `shared`, when set). */
export function tokenSourceFor(credentials: Credentials, context: TokenRequestContext, shared?: SharedTokenStore): TokenSource {
  return credentials.kind === "static" ? new SuppliedTokenSource(credentials.token) : clientCredentialsSource(credentials, context, shared);
}

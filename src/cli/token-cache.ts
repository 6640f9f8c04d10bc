/**
 * Tokens cached per credentials in the user's cache folder (0600 files), so a
 * burst of glp commands makes one token request: the first takes a lock file,
 * asks the issuer and writes the token; the others wait for it, however long
 * the issuer takes, and read it. Tokens come from the SDK's own token source
 * (its proxy, time limit, retries, redaction and lifetime rules); a cached
 * token is used until the SDK would renew it.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CachedTokenSource, createRuntime, registerSecret as rememberSecret } from "../internal/for-tools.js";
import { SSO_ISSUER, WORKSPACE_ISSUER } from "../options.js";
import { lockOrValue, type LockEnvironment } from "./file-lock.js";
import { cacheDir, checkDir, privateDir, readPrivate, removePrivate, writePrivate, type Env } from "./files.js";

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: () => Promise<string>;
  readonly workspaceId?: string | undefined;
  readonly tokenUrl?: string | undefined;
}

export interface CachedToken {
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** When the SDK would renew it (epoch milliseconds); glp asks for a new one from then on. */
  readonly refreshAt: number;
  readonly clientId: string;
  readonly workspaceId?: string | undefined;
  readonly tokenUrl: string;
}

/** The SDK caps a token's lifetime at a day; a cached expiry further out was not written by glp. */
const MAX_LIFETIME_MS = 86_400_000;
// What an Authorization header can carry; anything else in the file was not written by glp.
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

export function issuerUrl(credentials: Pick<ClientCredentials, "workspaceId" | "tokenUrl">): string {
  if (credentials.tokenUrl) return credentials.tokenUrl;
  return credentials.workspaceId ? WORKSPACE_ISSUER.replace("{workspaceId}", credentials.workspaceId) : SSO_ISSUER;
}

function tokensDir(env: Env): string {
  return join(cacheDir(env), "tokens");
}

/** Where the token of these credentials is cached. */
export function tokenCacheFile(env: Env, credentials: Pick<ClientCredentials, "clientId" | "workspaceId" | "tokenUrl">): string {
  const key = createHash("sha256").update(`${issuerUrl(credentials)}\n${credentials.clientId}\n${credentials.workspaceId ?? ""}`).digest("hex").slice(0, 32);
  return join(tokensDir(env), `${key}.json`);
}

/** The cached token while it is fresh; a file that is a link or not the user's own is refused. */
export async function readCachedToken(env: Env, credentials: ClientCredentials, now = Date.now()): Promise<CachedToken | undefined> {
  await checkDir(cacheDir(env));
  await checkDir(tokensDir(env));
  const file = tokenCacheFile(env, credentials);
  // A token file others could read is not used, and is replaced by the next one; a link or a foreign file is refused.
  const text = await readPrivate(file, { secret: "replace" });
  if (text === undefined) return undefined;
  let token: Partial<CachedToken>;
  try {
    token = JSON.parse(text) as Partial<CachedToken>;
  } catch {
    return undefined;
  }
  const { accessToken, expiresAt } = token;
  if (typeof accessToken !== "string" || !TOKEN_CHARS.test(accessToken)) return undefined;
  if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt) || expiresAt > now + MAX_LIFETIME_MS) return undefined;
  const refreshAt = typeof token.refreshAt === "number" && Number.isFinite(token.refreshAt) ? Math.min(token.refreshAt, expiresAt) : expiresAt - 60_000;
  if (refreshAt <= now) return undefined;
  rememberSecret(accessToken);
  return { ...(token as CachedToken), refreshAt };
}

export async function forgetToken(env: Env, credentials: ClientCredentials): Promise<void> {
  await checkDir(cacheDir(env));
  await checkDir(tokensDir(env));
  await removePrivate(tokenCacheFile(env, credentials));
}

export interface TokenCacheOptions {
  readonly signal?: AbortSignal | undefined;
  /** Where glp's own notes go (`--verbose`). */
  readonly log?: ((line: string) => void) | undefined;
  /** For tests: the lock's clock, liveness check and sleep. */
  readonly lockEnv?: LockEnvironment | undefined;
}

/**
 * One token from the SDK's own token source for these credentials, with the
 * expiry and renewal time the SDK's lifetime rules give it. Only GREENLAKE_PROXY
 * is read from the environment: the credentials are the ones glp resolved.
 */
async function issue(env: Env, credentials: ClientCredentials, options: TokenCacheOptions): Promise<{ accessToken: string; expiresAt: number; refreshAt: number }> {
  const runtime = createRuntime({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    workspaceId: credentials.workspaceId,
    tokenUrl: credentials.tokenUrl,
    env: { GREENLAKE_PROXY: env.GREENLAKE_PROXY },
  });
  const source = runtime.auth;
  if (!(source instanceof CachedTokenSource)) throw new Error("client credentials gave no token source");
  const accessToken = await source.token(options.signal);
  return { accessToken, expiresAt: source.expiresAt, refreshAt: source.refreshAt };
}

/** A token for these credentials: from the cache while fresh, otherwise from the issuer (once for concurrent commands). */
export async function cachedToken(env: Env, credentials: ClientCredentials, options: TokenCacheOptions = {}): Promise<CachedToken> {
  const cached = await readCachedToken(env, credentials);
  if (cached) return cached;
  await privateDir(cacheDir(env));
  await privateDir(tokensDir(env));
  const file = tokenCacheFile(env, credentials);
  const where = new URL(issuerUrl(credentials));
  const got = await lockOrValue(`${file}.lock`, () => readCachedToken(env, credentials), {
    signal: options.signal,
    env: options.lockEnv,
    onWait: (owner) => options.log?.(`glp: waiting for the token request of ${owner ? `process ${owner.pid}` : "another glp"}`),
    onTakeOver: (seen) => options.log?.(`glp: taking over the token lock of ${seen.kind === "owner" ? `process ${seen.owner.pid}, which is gone` : "an earlier glp"}`),
  });
  if ("value" in got) return got.value;
  try {
    // The owner before us may have written a token just before we got the lock.
    const fresh = await readCachedToken(env, credentials);
    if (fresh) return fresh;
    options.log?.(`glp: token request to ${where.host}${where.pathname} (no cached token)`);
    const issued = await issue(env, credentials, options);
    const token: CachedToken = { ...issued, clientId: credentials.clientId, workspaceId: credentials.workspaceId, tokenUrl: issuerUrl(credentials) };
    await writePrivate(file, `${JSON.stringify(token)}\n`);
    return token;
  } finally {
    await got.lock.release();
  }
}

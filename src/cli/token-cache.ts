/**
 * Tokens cached per credentials in the user's cache folder (0600 files), so a
 * burst of glp commands makes one token request: the first takes a lock file,
 * asks the issuer and writes the token; the others wait for it and read it.
 */
import { createHash } from "node:crypto";
import { open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { requestClientCredentialsToken, type IssuedToken } from "../internal/auth.js";
import { registerSecret as rememberSecret } from "../internal/redaction.js";
import { DEFAULT_RETRY, RetryPolicy } from "../internal/retry.js";
import { silentLog } from "../logging.js";
import { SSO_ISSUER, WORKSPACE_ISSUER } from "../options.js";
import { cacheDir, privateDir, readPrivate, writePrivate, type Env } from "./files.js";

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
  readonly clientId: string;
  readonly workspaceId?: string | undefined;
  readonly tokenUrl: string;
}

/** A token this close to expiry is not handed out: the command may run a while. */
const MARGIN_MS = 60_000;
const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 20_000;

export function issuerUrl(credentials: Pick<ClientCredentials, "workspaceId" | "tokenUrl">): string {
  if (credentials.tokenUrl) return credentials.tokenUrl;
  return credentials.workspaceId ? WORKSPACE_ISSUER.replace("{workspaceId}", credentials.workspaceId) : SSO_ISSUER;
}

function cacheFile(env: Env, credentials: ClientCredentials): string {
  const key = createHash("sha256").update(`${issuerUrl(credentials)}\n${credentials.clientId}\n${credentials.workspaceId ?? ""}`).digest("hex").slice(0, 32);
  return join(cacheDir(env), "tokens", `${key}.json`);
}

export async function readCachedToken(env: Env, credentials: ClientCredentials, now = Date.now()): Promise<CachedToken | undefined> {
  const text = await readPrivate(cacheFile(env, credentials));
  if (text === undefined) return undefined;
  try {
    const token = JSON.parse(text) as CachedToken;
    if (typeof token.accessToken !== "string" || typeof token.expiresAt !== "number" || token.expiresAt - MARGIN_MS <= now) return undefined;
    rememberSecret(token.accessToken);
    return token;
  } catch {
    return undefined;
  }
}

export async function forgetToken(env: Env, credentials: ClientCredentials): Promise<void> {
  await rm(cacheFile(env, credentials), { force: true });
}

/** The SDK's own client-credentials request (simple-oauth2, retries, time limit), logging nothing. */
function requestToken(credentials: ClientCredentials, secret: string, timeoutMs: number): Promise<IssuedToken> {
  return requestClientCredentialsToken(
    { clientId: credentials.clientId, clientSecret: secret, workspaceId: credentials.workspaceId, tokenUrl: credentials.tokenUrl },
    { timeoutMs, retry: new RetryPolicy(DEFAULT_RETRY), log: silentLog },
  );
}

async function takeLock(lock: string): Promise<boolean> {
  try {
    await (await open(lock, "wx", 0o600)).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // A lock left by a process that died is taken over once it is old.
    const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > LOCK_STALE_MS) await rm(lock, { force: true });
    return false;
  }
}

/** A token for these credentials: from the cache while fresh, otherwise from the issuer (once for concurrent commands). */
export async function cachedToken(
  env: Env,
  credentials: ClientCredentials,
  options: { timeoutMs?: number; signal?: AbortSignal; log?: ((line: string) => void) | undefined } = {},
): Promise<CachedToken> {
  const cached = await readCachedToken(env, credentials);
  if (cached) return cached;
  const file = cacheFile(env, credentials);
  await privateDir(join(cacheDir(env), "tokens"));
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!(await takeLock(lock))) {
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fresh = await readCachedToken(env, credentials);
    if (fresh) return fresh;
    if (Date.now() > deadline) break;
  }
  try {
    const fresh = await readCachedToken(env, credentials);
    if (fresh) return fresh;
    const started = Date.now();
    options.log?.(`glp: token request to ${new URL(issuerUrl(credentials)).host}${new URL(issuerUrl(credentials)).pathname} (no cached token)`);
    const issued = await requestToken(credentials, await credentials.clientSecret(), options.timeoutMs ?? 60_000);
    const token: CachedToken = {
      accessToken: issued.accessToken,
      expiresAt: started + issued.expiresIn * 1000,
      clientId: credentials.clientId,
      workspaceId: credentials.workspaceId,
      tokenUrl: issuerUrl(credentials),
    };
    await writePrivate(file, `${JSON.stringify(token)}\n`);
    return token;
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Client options: each setting is a value or an async provider, with
 * `GREENLAKE_*` environment fallbacks. Everything that can be checked is
 * checked here, at construction, with a message naming the setting and the fix.
 */
import { GreenLakeConfigurationError } from "./errors.js";
import type { LoggingOptions } from "./logging.js";
import type { PacingOptions } from "./pacing.js";
import type { SharedStateOptions } from "./shared-state.js";

/** A value, or a function (possibly async) that supplies it when first needed. */
export type Provider<T> = T | (() => T | Promise<T>);

export interface RetryOptions {
  /** Total attempts including the first; default 4. */
  maxAttempts?: number;
  /** First backoff ceiling; each retry doubles it (full jitter). Default 500 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 20 s. */
  maxDelayMs?: number;
  /** Longest wait honoured from `Retry-After` or `retryAfterSeconds`; a longer ask waits this long. Default 60 s. */
  maxRetryAfterMs?: number;
}

export interface RateLimitOptions {
  /** Client-side ceiling on requests started per minute, shared by every service of the client. */
  requestsPerMinute: number;
}

export interface GreenLakeOptions extends LoggingOptions {
  clientId?: Provider<string> | undefined;
  clientSecret?: Provider<string> | undefined;
  /** Workspace id, 32 hex digits (hyphenated form accepted). Selects the workspace token issuer. */
  workspaceId?: Provider<string> | undefined;
  /** Region such as `eu-central`; global services need none. */
  region?: Provider<string> | undefined;
  /** Token endpoint; default: the workspace issuer when `workspaceId` is set, else the HPE SSO issuer. */
  tokenUrl?: string | undefined;
  /** A bearer token, or a function returning one, used instead of client credentials. */
  token?: Provider<string> | undefined;
  /** One base URL for every service (mocks, proxies). https, except on loopback. */
  baseUrl?: string | undefined;
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Time limit per attempt, token requests included; default 60 s. 0 disables it. */
  timeoutMs?: number | undefined;
  retry?: RetryOptions | false | undefined;
  rateLimit?: RateLimitOptions | undefined;
  /** Spaces calls within the rate limits the documents state (on by default); `false` turns it off. */
  pacing?: PacingOptions | false | undefined;
  /** A store the processes of one API client share (rate budgets, the token); nothing connects unless set. */
  sharedState?: SharedStateOptions | undefined;
  /** Compute Ops Management `Tenant-Acid` header sent on every call (MSP). */
  tenantAcid?: string | undefined;
  /** Throw a `GreenLakeError` for non-2xx responses instead of returning `{ error }`. */
  throwOnError?: boolean | undefined;
  /** Environment to read `GREENLAKE_*` fallbacks from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

export const WORKSPACE_ISSUER = "https://global.api.greenlake.hpe.com/authorization/v2/oauth2/{workspaceId}/token";
export const SSO_ISSUER = "https://sso.common.cloud.hpe.com/as/token.oauth2";

export type Credentials =
  | { kind: "static"; token: Provider<string> }
  | {
      kind: "client-credentials";
      clientId: Provider<string>;
      clientSecret: Provider<string>;
      workspaceId: Provider<string> | undefined;
      tokenUrl: string | undefined;
    };

export interface Settings {
  readonly credentials: Credentials;
  readonly region: Provider<string> | undefined;
  readonly baseUrl: string | undefined;
  readonly fetch: (request: Request) => Promise<Response>;
  readonly timeoutMs: number;
  readonly retry: Required<RetryOptions> | false;
  readonly requestsPerMinute: number | undefined;
  readonly tenantAcid: string | undefined;
  readonly throwOnError: boolean;
}

const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};

function fail(message: string): never {
  throw new GreenLakeConfigurationError(message);
}

function isProvider<T>(value: Provider<T>): value is () => T | Promise<T> {
  return typeof value === "function";
}

const WORKSPACE_HEX = /^[0-9a-f]{32}$/i;
const WORKSPACE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns the workspace id as 32 lowercase hex digits, accepting the hyphenated UUID form. */
export function normalizeWorkspaceId(value: unknown, setting = "workspaceId"): string {
  if (typeof value !== "string" || value.trim() === "") {
    fail(`${setting} is empty. Pass the workspace id shown in GreenLake under Manage Workspace (32 hex digits).`);
  }
  const trimmed = value.trim();
  if (WORKSPACE_HEX.test(trimmed)) return trimmed.toLowerCase();
  if (WORKSPACE_UUID.test(trimmed)) return trimmed.replaceAll("-", "").toLowerCase();
  return fail(
    `${setting} is malformed (${trimmed.length} characters): expected 32 hex digits such as ` +
      `"0123456789abcdef0123456789abcdef" (a hyphenated UUID is also accepted). ` +
      `Copy it from GreenLake under Manage Workspace.`,
  );
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Parses a URL setting, allowing plain http only on loopback. */
export function checkUrl(value: unknown, setting: string): URL {
  if (typeof value !== "string" || value === "") fail(`${setting} must be a URL string.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${setting} is not a valid URL. Pass an absolute URL such as "https://proxy.example.com".`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return url;
  return fail(`${setting} must use https (plain http is allowed only for 127.0.0.1, localhost or [::1]).`);
}

const CLIENT_ID_CHARS = /^[\x21-\x7E]+$/;

/** Checks a resolved client id; also used when a provider supplies it later. */
export function checkClientId(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    fail("clientId is empty. Pass the API client's id as `clientId` or set GREENLAKE_CLIENT_ID.");
  }
  const id = value.trim();
  if (!CLIENT_ID_CHARS.test(id)) fail("clientId contains spaces or non-ASCII characters; copy it again from GreenLake's API clients page.");
  return id;
}

export function checkClientSecret(value: unknown): string {
  if (typeof value !== "string" || value === "") {
    fail("clientSecret is empty. Pass the API client's secret as `clientSecret` or set GREENLAKE_CLIENT_SECRET.");
  }
  if (!/^[\x20-\x7E]+$/.test(value)) fail("clientSecret contains non-ASCII characters; copy it again from GreenLake (it is shown once, at creation).");
  return value;
}

const LOG_LEVELS: readonly unknown[] = ["debug", "info", "warn", "error", "silent"];

const REGION_NAME = /^[a-z][a-z0-9-]*$/;

export function checkRegionName(value: unknown): string {
  if (typeof value !== "string" || !REGION_NAME.test(value)) {
    fail('region must be a region name such as "us-west", "eu-central" or "ap-northeast".');
  }
  return value;
}

function positive(value: unknown, setting: string, allowZero = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    fail(`${setting} must be a ${allowZero ? "non-negative" : "positive"} number.`);
  }
  return value;
}

function envValue(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === "" ? undefined : v;
}

export function resolveSettings(options: GreenLakeOptions = {}): Settings {
  if (options === null || typeof options !== "object") fail("options must be an object.");
  const env = options.env ?? (typeof process === "object" ? process.env : {});
  let credentials: Credentials;
  if (options.token !== undefined) {
    if (!isProvider(options.token) && (typeof options.token !== "string" || options.token === "")) {
      fail("token must be a non-empty string or a function returning one.");
    }
    credentials = { kind: "static", token: options.token };
  } else {
    const clientId = options.clientId ?? envValue(env, "GREENLAKE_CLIENT_ID");
    const clientSecret = options.clientSecret ?? envValue(env, "GREENLAKE_CLIENT_SECRET");
    if (clientId === undefined) {
      fail("Missing clientId: pass `clientId` (or a `token`) to the client, or set GREENLAKE_CLIENT_ID. Create an API client in GreenLake under Manage Workspace > API.");
    }
    if (clientSecret === undefined) {
      fail("Missing clientSecret: pass `clientSecret` to the client or set GREENLAKE_CLIENT_SECRET.");
    }
    let workspaceId = options.workspaceId ?? envValue(env, "GREENLAKE_WORKSPACE_ID");
    const rawTokenUrl = options.tokenUrl ?? envValue(env, "GREENLAKE_TOKEN_URL");
    const tokenUrl = rawTokenUrl === undefined ? undefined : checkUrl(rawTokenUrl, "tokenUrl").href;
    if (workspaceId !== undefined && !isProvider(workspaceId)) {
      workspaceId = normalizeWorkspaceId(workspaceId, options.workspaceId !== undefined ? "workspaceId" : "GREENLAKE_WORKSPACE_ID");
    }
    credentials = {
      kind: "client-credentials",
      clientId: isProvider(clientId) ? clientId : checkClientId(clientId),
      clientSecret: isProvider(clientSecret) ? clientSecret : checkClientSecret(clientSecret),
      workspaceId,
      tokenUrl,
    };
  }
  let region = options.region ?? envValue(env, "GREENLAKE_REGION");
  if (region !== undefined && !isProvider(region)) region = checkRegionName(region);
  const baseUrl = options.baseUrl === undefined ? undefined : checkUrl(options.baseUrl, "baseUrl").href.replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") fail("fetch must be a function; Node 20 provides one globally.");
  const timeoutMs = options.timeoutMs === undefined ? 60_000 : positive(options.timeoutMs, "timeoutMs", true);
  let retry: Required<RetryOptions> | false = DEFAULT_RETRY;
  if (options.retry === false) retry = false;
  else if (options.retry !== undefined) {
    retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) fail("retry.maxAttempts must be an integer of at least 1.");
    positive(retry.baseDelayMs, "retry.baseDelayMs", true);
    positive(retry.maxDelayMs, "retry.maxDelayMs", true);
    positive(retry.maxRetryAfterMs, "retry.maxRetryAfterMs", true);
  }
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) {
    fail(`logLevel must be one of ${LOG_LEVELS.join(", ")} (got ${JSON.stringify(options.logLevel)}).`);
  }
  const requestsPerMinute =
    options.rateLimit === undefined ? undefined : positive(options.rateLimit.requestsPerMinute, "rateLimit.requestsPerMinute");
  if (options.tenantAcid !== undefined && (typeof options.tenantAcid !== "string" || options.tenantAcid === "")) {
    fail("tenantAcid must be a non-empty string (the tenant's application customer id).");
  }
  return {
    credentials,
    region,
    baseUrl,
    fetch: fetchImpl,
    timeoutMs,
    retry,
    requestsPerMinute,
    tenantAcid: options.tenantAcid,
    throwOnError: options.throwOnError === true,
  };
}

/** Resolves a `Provider` to its value. */
export async function resolveProvider<T>(value: Provider<T>): Promise<T> {
  return isProvider(value) ? await value() : value;
}

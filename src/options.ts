/**
 * Client options: each setting is a value or an async provider, with
 * `GREENLAKE_*` environment fallbacks. Everything that can be checked is
 * checked here, at construction, with a message naming the setting and the fix.
 */
import { configurationError } from "./errors.js";
import { LOG_LEVELS, type LoggingOptions } from "./logging.js";
import type { PacingOptions } from "./internal/pacing.js";
import type { SharedStateOptions } from "./internal/shared-state.js";
import { isProvider, type Credentials, type Provider } from "./internal/credentials.js";
import { registerSecret, Secret } from "./internal/redaction.js";
import { DEFAULT_RETRY, RetryPolicy, type RetryOptions } from "./internal/retry.js";

export type { RetryOptions };

/** A value, or a function (possibly async) that supplies it when first needed. */
export { resolveProvider, type Credentials, type Provider } from "./internal/credentials.js";

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
  /** An HTTP proxy for API calls and token requests alike, e.g. `http://proxy.example.com:3128` (credentials allowed). */
  proxy?: string | undefined;
  /** A fetch every call goes through instead of the SDK's HTTP layer (undici's dispatcher; intercept that with a `MockAgent`). */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Time limit per attempt, token requests included; default 60 s. 0 disables it. */
  timeoutMs?: number | undefined;
  /** Longest answer body read, in bytes; a longer one fails the call (`GreenLakeResponseTooLargeError`, not retried). Default 64 MiB; 0 for no limit. */
  maxResponseBytes?: number | undefined;
  retry?: RetryOptions | false | undefined;
  /** Pacing within the rate limits the API descriptions state (on by default); `false` turns it off. */
  pacing?: PacingOptions | false | undefined;
  /** Your own ceiling on request starts, one more budget for the whole client. */
  rateLimit?: RateLimitOptions | undefined;
  /** Budgets and the token shared by every process of the API client, on Redis (optional peer dependency ioredis). */
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

/** Credentials as held at run time: plain values are `Secret`s, which never print. */
export interface Settings {
  readonly credentials: Credentials;
  readonly region: Provider<string> | undefined;
  readonly baseUrl: string | undefined;
  /** The proxy URL; a Secret, since it may carry credentials. */
  readonly proxy: Secret | undefined;
  /** A fetch the user chose; undefined: the platform's, looked up at each call. */
  readonly fetch: ((request: Request) => Promise<Response>) | undefined;
  readonly timeoutMs: number;
  /** Longest answer body read; Infinity for no limit. */
  readonly maxResponseBytes: number;
  readonly retry: RetryPolicy;
  readonly requestsPerMinute: number | undefined;
  readonly tenantAcid: string | undefined;
  readonly throwOnError: boolean;
}

/** Far above any page or object GreenLake answers with, far below what would exhaust a process. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function fail(message: string): never {
  throw configurationError(message);
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
export function checkUrl(value: unknown, setting: string, allowQuery = true): URL {
  if (typeof value !== "string" || value === "") fail(`${setting} must be a URL string.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${setting} is not a valid URL. Pass an absolute URL such as "https://proxy.example.com".`);
  }
  // Credentials in a URL end up in logs and messages; a query or fragment would be sent to every operation.
  if (url.username !== "" || url.password !== "") fail(`${setting} must not contain a user name or password; pass credentials as clientId/clientSecret or token.`);
  if (url.hash !== "" || value.includes("#") || (!allowQuery && (url.search !== "" || value.includes("?")))) fail(`${setting} must not contain a query (?) or fragment (#).`);
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return url;
  return fail(`${setting} must use https (plain http is allowed only for 127.0.0.1, localhost or [::1]).`);
}

/** A proxy URL: http or https, credentials allowed (they are kept as a secret), no path beyond "/". */
function checkProxyUrl(value: unknown, setting: string): string {
  if (typeof value !== "string" || value === "") fail(`${setting} must be a URL string such as "http://proxy.example.com:3128".`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${setting} is not a valid URL; pass one such as "http://proxy.example.com:3128".`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(`${setting} must be an http:// or https:// proxy URL.`);
  if (url.search !== "" || url.hash !== "" || (url.pathname !== "/" && url.pathname !== "")) fail(`${setting} must name only the proxy's scheme, host and port.`);
  // The credentials are hidden wherever they appear; the rest of the URL is not a secret.
  if (url.password !== "") registerSecret(decodeURIComponent(url.password));
  if (url.username !== "") registerSecret(decodeURIComponent(url.username));
  return url.href;
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


const REGION_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Checks a region name's form and, given the regions the documents name,
 * that it is one of them, so a typo fails here rather than at some later call.
 */
export function checkRegionName(value: unknown, known?: readonly string[], setting = "region"): string {
  const hint = known === undefined ? '"us-west", "eu-central" or "ap-northeast"' : known.map((r) => `"${r}"`).join(", ");
  if (typeof value !== "string" || !REGION_NAME.test(value)) fail(`${setting} must be a region name such as ${hint}.`);
  if (known !== undefined && !known.includes(value)) fail(`${setting} "${value}" is not a known region; valid regions: ${known.join(", ")}.`);
  return value;
}

// CR, LF and other controls would split or corrupt the header they are sent in.
const HEADER_VALUE = /^[\x20-\x7E\x80-\xFF]*$/;

/** Checks a value sent as an HTTP header. */
export function checkHeaderValue(value: unknown, setting: string): string {
  if (typeof value !== "string" || value.trim() === "") fail(`${setting} must be a non-empty string.`);
  if (!HEADER_VALUE.test(value)) fail(`${setting} contains control characters (such as a line break); it is sent as an HTTP header.`);
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

/**
 * Checks and resolves every setting. `knownRegions`: the region names the
 * documents of the services in reach name (a region outside them is a typo).
 */
export function resolveSettings(options: GreenLakeOptions = {}, knownRegions?: readonly string[]): Settings {
  if (options === null || typeof options !== "object") fail("options must be an object.");
  const env = options.env ?? (typeof process === "object" ? process.env : {});
  let credentials: Credentials;
  if (options.token !== undefined) {
    const token = options.token;
    if (isProvider(token)) credentials = { kind: "static", token };
    else {
      if (typeof token !== "string" || token === "") fail("token must be a non-empty string or a function returning one.");
      credentials = { kind: "static", token: new Secret(checkHeaderValue(token, "token")) };
    }
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
      clientSecret: isProvider(clientSecret) ? clientSecret : new Secret(checkClientSecret(clientSecret)),
      workspaceId,
      tokenUrl,
    };
  }
  let region = options.region ?? envValue(env, "GREENLAKE_REGION");
  if (region !== undefined && !isProvider(region)) {
    region = checkRegionName(region, knownRegions, options.region !== undefined ? "region" : "GREENLAKE_REGION");
  }
  const baseUrl = options.baseUrl === undefined ? undefined : checkUrl(options.baseUrl, "baseUrl", false).href.replace(/\/+$/, "");
  const rawProxy = options.proxy ?? envValue(env, "GREENLAKE_PROXY");
  const proxy = rawProxy === undefined ? undefined : new Secret(checkProxyUrl(rawProxy, options.proxy !== undefined ? "proxy" : "GREENLAKE_PROXY"), false);
  const fetchImpl = options.fetch;
  if (fetchImpl !== undefined && typeof fetchImpl !== "function") fail("fetch must be a function.");
  const timeoutMs = options.timeoutMs === undefined ? 60_000 : positive(options.timeoutMs, "timeoutMs", true);
  const maxBytes = options.maxResponseBytes === undefined ? DEFAULT_MAX_RESPONSE_BYTES : Math.floor(positive(options.maxResponseBytes, "maxResponseBytes", true));
  const maxResponseBytes = maxBytes === 0 ? Number.POSITIVE_INFINITY : maxBytes;
  let retry: Required<RetryOptions> | false = DEFAULT_RETRY;
  if (options.retry === false) retry = false;
  else if (options.retry !== undefined) {
    if (options.retry === null || typeof options.retry !== "object") fail("retry must be false or an object such as { maxAttempts: 3 }.");
    retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) fail("retry.maxAttempts must be an integer of at least 1.");
    positive(retry.baseDelayMs, "retry.baseDelayMs", true);
    positive(retry.maxDelayMs, "retry.maxDelayMs", true);
    positive(retry.maxRetryAfterMs, "retry.maxRetryAfterMs", true);
  }
  if (options.logLevel !== undefined && !(LOG_LEVELS as readonly unknown[]).includes(options.logLevel)) {
    fail(`logLevel must be one of ${LOG_LEVELS.join(", ")} (got ${JSON.stringify(options.logLevel)}).`);
  }
  const requestsPerMinute =
    options.rateLimit === undefined ? undefined : positive(options.rateLimit.requestsPerMinute, "rateLimit.requestsPerMinute");
  if (options.tenantAcid !== undefined) checkHeaderValue(options.tenantAcid, "tenantAcid");
  return {
    credentials,
    region,
    baseUrl,
    proxy,
    fetch: fetchImpl,
    timeoutMs,
    maxResponseBytes,
    retry: new RetryPolicy(retry),
    requestsPerMinute,
    tenantAcid: options.tenantAcid,
    throwOnError: options.throwOnError === true,
  };
}


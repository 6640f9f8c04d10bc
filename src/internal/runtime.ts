/** What every service client of one GreenLake client shares: settings, token, pacing, logging. */
import { tokenSourceFor, type TokenRequestContext, type TokenSource } from "./auth.js";
import { createProxy, type Proxy } from "./proxy.js";
import { createLog, DeprecationNotices, type Log } from "../logging.js";
import { resolveSettings, type GreenLakeOptions, type Settings } from "../options.js";
import { checkPacingOptions, Pacer, pacingIdentity } from "./pacing.js";
import { sharedStateFor, type SharedState } from "./shared-state.js";

export interface Runtime {
  readonly settings: Settings;
  readonly log: Log;
  /** This client's own token (MSP tenants: their own exchanged one). */
  readonly auth: TokenSource;
  /** Pacing within the stated rate limits, per budget. */
  readonly pacing: Pacer;
  /** The store shared with other processes of the API client, when configured. */
  readonly shared: SharedState | undefined;
  /** The proxy API calls and token requests go through, when one is set. */
  readonly proxy: Proxy | undefined;
  /** How this client's token requests are made (also for its MSP tenants' exchanges). */
  readonly tokenRequests: TokenRequestContext;
  readonly deprecations: DeprecationNotices;
  /** Region names the documents in reach name; a region outside them is a typo. */
  readonly knownRegions: readonly string[] | undefined;
}

/** How a client's token requests are made: its time limit, retry policy, logger, proxy and body limit, as its API calls. */
function tokenRequestsOf(settings: Settings, log: Log, proxy: Proxy | undefined): TokenRequestContext {
  return { timeoutMs: settings.timeoutMs, retry: settings.retry, log, proxy, maxResponseBytes: settings.maxResponseBytes };
}

/**
 * The token-request policies a client built from `options` would use
 * (`proxy` or GREENLAKE_PROXY, `timeoutMs`, `retry`, `logger`,
 * `maxResponseBytes`), for a caller that keeps tokens itself (glp's cache).
 */
export function tokenRequestContext(options: GreenLakeOptions): TokenRequestContext {
  const settings = resolveSettings(options);
  return tokenRequestsOf(settings, createLog(options), settings.proxy === undefined ? undefined : createProxy(settings.proxy.reveal()));
}

export function createRuntime(options: GreenLakeOptions = {}, knownRegions?: readonly string[]): Runtime {
  const settings = resolveSettings(options, knownRegions);
  const log = createLog(options);
  const proxy = settings.proxy === undefined ? undefined : createProxy(settings.proxy.reveal());
  const tokenRequests = tokenRequestsOf(settings, log, proxy);
  const shared = sharedStateFor(options.sharedState, log, { timeoutMs: settings.timeoutMs });
  const { credentials } = settings;
  const clientCredentials = credentials.kind === "client-credentials" ? credentials : undefined;
  const identity = pacingIdentity(clientCredentials?.clientId, clientCredentials?.workspaceId);
  return {
    settings,
    log,
    proxy,
    tokenRequests,
    auth: tokenSourceFor(credentials, tokenRequests, shared),
    pacing: new Pacer({
      identity,
      options: checkPacingOptions(options.pacing),
      requestsPerMinute: settings.requestsPerMinute,
      log,
      shared,
      maxHoldMs: settings.retry.maxRetryAfterMs,
    }),
    shared,
    deprecations: new DeprecationNotices(log),
    knownRegions,
  };
}

/** What every service client of one GreenLake client shares: settings, token, pacing, logging. */
import { tokenSourceFor, type TokenSource } from "./auth.js";
import { createLog, DeprecationNotices, type Log } from "./logging.js";
import { resolveSettings, type GreenLakeOptions, type Settings } from "./options.js";
import { RateLimiter } from "./rate-limit.js";

export interface Runtime {
  readonly settings: Settings;
  readonly log: Log;
  /** This client's own token (MSP tenants: their own exchanged one). */
  readonly auth: TokenSource;
  readonly limiter: RateLimiter | undefined;
  readonly deprecations: DeprecationNotices;
  /** Region names the documents in reach name; a region outside them is a typo. */
  readonly knownRegions: readonly string[] | undefined;
}

export function createRuntime(options: GreenLakeOptions = {}, knownRegions?: readonly string[]): Runtime {
  const settings = resolveSettings(options, knownRegions);
  const log = createLog(options);
  return {
    settings,
    log,
    auth: tokenSourceFor(settings.credentials, { timeoutMs: settings.timeoutMs, retry: settings.retry, log }),
    limiter: settings.requestsPerMinute === undefined ? undefined : new RateLimiter(settings.requestsPerMinute),
    deprecations: new DeprecationNotices(log),
    knownRegions,
  };
}

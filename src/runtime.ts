/** What every service client of one GreenLake client shares: settings, token, pacing, logging. */
import { tokenSourceFor, type TokenSource } from "./auth.js";
import { createLog, DeprecationNotices, type Log } from "./logging.js";
import { resolveSettings, type GreenLakeOptions, type Settings } from "./options.js";
import { RateLimiter } from "./rate-limit.js";

export interface Runtime {
  readonly settings: Settings;
  readonly log: Log;
  readonly auth: TokenSource;
  readonly limiter: RateLimiter | undefined;
  readonly deprecations: DeprecationNotices;
}

export function createRuntime(options: GreenLakeOptions = {}): Runtime {
  const settings = resolveSettings(options);
  const log = createLog(options);
  return {
    settings,
    log,
    auth: tokenSourceFor(settings.credentials, log, settings.timeoutMs),
    limiter: settings.requestsPerMinute === undefined ? undefined : new RateLimiter(settings.requestsPerMinute),
    deprecations: new DeprecationNotices(log),
  };
}

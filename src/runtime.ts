/** What every service client of one GreenLake client shares: settings, token, pacing, logging. */
import { tokenSourceFor, type TokenSource } from "./auth.js";
import { createLog, DeprecationNotices, type Log } from "./logging.js";
import { resolveSettings, type GreenLakeOptions, type Settings } from "./options.js";
import { checkPacingOptions, Pacer, pacingIdentity } from "./pacing.js";
import { sharedStateFor, type SharedState } from "./shared-state.js";

export interface Runtime {
  readonly settings: Settings;
  readonly log: Log;
  readonly auth: TokenSource;
  readonly pacing: Pacer;
  readonly shared: SharedState | undefined;
  readonly deprecations: DeprecationNotices;
}

export function createRuntime(options: GreenLakeOptions = {}): Runtime {
  const settings = resolveSettings(options);
  const log = createLog(options);
  const shared = sharedStateFor(options.sharedState, log);
  const { credentials } = settings;
  const identity = pacingIdentity(credentials.kind === "client-credentials" ? credentials.clientId : undefined, credentials.kind === "client-credentials" ? credentials.workspaceId : undefined);
  return {
    settings,
    log,
    auth: tokenSourceFor(credentials, log, settings.timeoutMs, shared),
    pacing: new Pacer({ identity, options: checkPacingOptions(options.pacing), requestsPerMinute: settings.requestsPerMinute, log, shared, maxHoldMs: settings.retry ? settings.retry.maxRetryAfterMs : undefined }),
    shared,
    deprecations: new DeprecationNotices(log),
  };
}

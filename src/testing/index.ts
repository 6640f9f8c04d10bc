/**
 * Local mocks of the GreenLake APIs for contract tests: Prism serving HPE's
 * documents (it validates every request), a state layer that remembers
 * (seeded collections that page and filter, creates, updates, deletes, async
 * work), faults on cue, a local OAuth2 issuer, and one loopback URL in front.
 *
 * ```ts
 * const mocks = await startMocks({ services: ["identity"] });
 * const gl = new GreenLake(mocks.clientOptions());
 * await gl.identity.GET("/identity/v1/users");
 * await mocks.stop();
 * ```
 */
import { startPrismHost } from "./prism-host.js";
import { startMocksWith, type Mocks, type StartMocksOptions } from "./mocks.js";

export type { StartMocksOptions, MockState, Mocks } from "./mocks.js";
export type { StateChange, StateListener } from "./state-layer.js";
export type { MockCall } from "./front-door.js";
export type { IssuerCredentials, IssuerStats, IssuedTokenInfo } from "./issuer.js";
export type { Fault, FaultRule, RateLimit } from "./faults.js";
export type { AsyncOutcome, JobOutcome, AsyncSettings, AsyncRecord } from "./async-work.js";
export type { Item } from "./state-store.js";
export type { MockEvents, MockDelivery, MockCloudEvent, WebhookMockOptions } from "./webhook-delivery.js";
export type { MockClock, ManualClock } from "./webhook-clock.js";
export { WORKSPACE_HEADER } from "./front-door.js";
export { Faults } from "./faults.js";
export { manualClock } from "./webhook-clock.js";

/** Starts the mocks of `options.services` (default: every service): Prism in a child process, the state layer, the issuer and one loopback front door. */
export function startMocks(options: StartMocksOptions = {}): Promise<Mocks> {
  return startMocksWith(startPrismHost, options);
}

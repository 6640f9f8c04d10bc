/**
 * One process of a fleet (see fleet-harness.ts): a GreenLake client on the
 * shared API client, `calls` calls at `concurrency`, reporting what it saw.
 * With `pauses`, it stops after those many calls until the harness says go,
 * so a test can change the world between phases whatever the machine's speed.
 */
import { metadata, type paths } from "../../generated/services/device-management.js";
import { createServiceClient } from "../../src/service-client.js";
import { silentLog } from "../../src/logging.js";
import { sharedStateFor } from "../../src/internal/shared-state.js";
import { FLEET_CLIENT_ID, FLEET_SECRET, FLEET_WORKSPACE, MAX_CALLS_UNTIL_SHARED, type WorkerConfig, type WorkerMessage, type WorkerResult } from "./fleet-harness.js";

const send = (message: WorkerMessage, then: () => void = () => {}): void => void process.send!(message, then);
const nextGo = (): Promise<void> => new Promise((resolve) => process.once("message", () => resolve()));

// Loaded before the start, as a long-running process has it loaded: a call waits on the store at most 250 ms.
await import("ioredis");
send({ kind: "ready" });
process.once("message", async (config: WorkerConfig) => {
  const warnings: string[] = [];
  const sharedState = config.redisUrl === undefined ? undefined : { redis: config.redisUrl };
  // One service only: a worker loads what a one-service script would, and starts faster.
  const devices = createServiceClient<paths>(metadata, {
    clientId: FLEET_CLIENT_ID,
    clientSecret: FLEET_SECRET,
    workspaceId: FLEET_WORKSPACE,
    tokenUrl: config.tokenUrl,
    baseUrl: config.baseUrl,
    env: {},
    logger: { warn: (m: string) => warnings.push(m) },
    logLevel: "warn",
    pacing: { limits: { "GET /devices/v1/devices": { requests: config.limit, windowSeconds: config.windowSeconds } } },
    sharedState,
  });
  const stats = () => (sharedState === undefined ? undefined : sharedStateFor(sharedState, silentLog)?.stats);
  let ok = 0;
  let failed = 0;
  const failures: string[] = [];
  let next = 0;
  const call = async (): Promise<void> => {
    try {
      const { error, response } = await devices.GET("/devices/v1/devices");
      if (error === undefined) ok++;
      else {
        failed++;
        if (failures.length < 3) failures.push(`status ${response.status}`);
      }
    } catch (e) {
      failed++;
      if (failures.length < 3) failures.push((e as Error).message);
    }
  };
  const callsUpTo = async (end: number): Promise<void> => {
    const lane = async (): Promise<void> => {
      while (next < end) {
        next++;
        await call();
      }
    };
    await Promise.all(Array.from({ length: config.concurrency }, lane));
  };
  for (const pause of config.pauses ?? []) {
    await callsUpTo(pause);
    send({ kind: "paused", calls: next });
    await nextGo();
  }
  await callsUpTo(config.calls);
  // Sharing resumes on a later call once the store is back: call on until it has (or clearly never will).
  if (config.untilShared) {
    for (let extra = 0; extra < MAX_CALLS_UNTIL_SHARED && (stats()?.resumptions ?? 0) < (stats()?.outages ?? 0); extra++) {
      next++;
      await call();
    }
  }
  const result: WorkerResult = { calls: next, ok, failed, failures, warnings, ...(stats() ? { stats: stats()! } : {}) };
  send({ kind: "result", result }, () => process.exit(0));
});

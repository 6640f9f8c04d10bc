/**
 * One process of a fleet (see fleet-harness.ts): a GreenLake client on the
 * shared API client, `calls` calls at `concurrency`, reporting what it saw.
 */
import { metadata, type paths } from "../../generated/services/device-management.js";
import { createServiceClient } from "../../src/service-client.js";
import { silentLog } from "../../src/logging.js";
import { sharedStateFor } from "../../src/internal/shared-state.js";
import { FLEET_CLIENT_ID, FLEET_SECRET, FLEET_WORKSPACE, type WorkerConfig, type WorkerResult } from "./fleet-harness.js";

// Loaded before the start, as a long-running process has it loaded: a call waits on the store at most 250 ms.
await import("ioredis");
process.send!("ready");
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
  let ok = 0;
  let failed = 0;
  const failures: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < config.calls) {
      next++;
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
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, lane));
  const stats = sharedState === undefined ? undefined : sharedStateFor(sharedState, silentLog)?.stats;
  const result: WorkerResult = { ok, failed, failures, warnings, ...(stats ? { stats } : {}) };
  process.send!(result, () => process.exit(0));
});

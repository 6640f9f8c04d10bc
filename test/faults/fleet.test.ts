/**
 * Many processes on one API client, with a real redis-server (started here,
 * persistence off, on a free loopback port) and a stub that enforces a
 * scaled per-workspace limit. Windows are scaled down so the suite stays short:
 * one second, through the SDK's own `pacing.limits` option.
 *
 * The two fleet runs go one after the other: sixteen processes racing for the
 * token at once starve a busy machine's store past the wait a call allows it,
 * and each process that gives up on the store asks for a token of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { runFleet, startFleetStub, startRedis, FLEET_SECRET, type RedisServer, type WorkerResult } from "./fleet-harness.js";

const WORKERS = 8;
const LIMIT = 80; // per 1 s window, per workspace
const WINDOW_MS = 1000;
const CALLS = 24;

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
}, 300_000);

/** Each run starts from an empty store, as a fleet against a fresh stub would. */
async function flush(): Promise<void> {
  const client = new Redis(redis.url);
  await client.flushall();
  client.disconnect();
}

afterAll(async () => {
  await redis?.stop();
});

/**
 * What every process promises whatever the machine's speed: one warning per outage of the store, each saying so.
 * (A store command that outlasts its one-second limit on a starved machine is an outage too.) The share is one
 * over the processes the store saw lately, at most the fleet's eight: a process slow to start may not be counted yet.
 */
function expectOneWarningPerOutage(result: WorkerResult): void {
  expect(result.warnings, result.warnings.join("\n")).toHaveLength(result.stats!.outages);
  for (const warning of result.warnings) expect(warning).toMatch(new RegExp(`^Shared state on Redis is unreachable .*paces on its share \\(1/[1-${WORKERS}]\\)`));
}

describe("a fleet sharing its budgets and token on Redis", () => {
  // Rates (calls per second against the limit) are the bench's figures (npm run bench): a test that asserts
  // one measures the machine. What holds at any speed: every call paced and answered, one token for all.
  it("paces every call on the shared budget and makes one token request in total", async () => {
    await flush();
    const stub = await startFleetStub({ limit: LIMIT, windowMs: WINDOW_MS });
    try {
      const run = await runFleet(stub, WORKERS, { calls: CALLS, concurrency: 6, limit: LIMIT, windowSeconds: WINDOW_MS / 1000, redisUrl: redis.url });
      console.log(`fleet, shared store: ${run.ok} ok, ${run.failed} failed, ${run.limited} answered 429, ${run.tokenRequests} token request(s), busiest window ${run.busiestWindow}/${LIMIT}, ${run.results.reduce((n, r) => n + r.warnings.length, 0)} warning(s)`);
      expect(run.failed).toBe(0);
      expect(run.ok).toBe(WORKERS * CALLS);
      expect(run.tokenRequests).toBe(1);
      expect(run.busiestWindow).toBeLessThanOrEqual(LIMIT);
      for (const result of run.results) {
        // Each call booked its start on the shared budget (or, while the store did not answer, on this process's share).
        expect(result.stats!.sharedReservations + result.stats!.localReservations).toBeGreaterThanOrEqual(CALLS);
        expect(result.stats!.sharedReservations).toBeGreaterThan(0);
        expectOneWarningPerOutage(result);
      }
    } finally {
      await stub.close();
    }
  });

  it("stores the token so the keyspace alone yields nothing usable, under keys without the secret", async () => {
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys("*");
      expect(keys.some((k) => k.startsWith("greenlake:token:"))).toBe(true);
      for (const key of keys) {
        expect(key).not.toContain(FLEET_SECRET);
        const value = (await client.type(key)) === "string" ? ((await client.get(key)) ?? "") : "";
        expect(value).not.toContain("fleet-token-");
        expect(value).not.toContain(FLEET_SECRET);
      }
    } finally {
      client.disconnect();
    }
  });

  it("keeps every call working when Redis dies mid-run, warns once per outage, and shares again once it is back", async () => {
    await flush();
    const stub = await startFleetStub({ limit: LIMIT, windowMs: WINDOW_MS });
    const quarter = CALLS / 4;
    try {
      // In phases, whatever the machine's speed: a quarter of the calls on Redis, a quarter with Redis dead,
      // the rest once it is back (and on until each process shares again).
      const config = { calls: CALLS, concurrency: 6, limit: LIMIT, windowSeconds: WINDOW_MS / 1000, redisUrl: redis.url, pauses: [quarter, 2 * quarter], untilShared: true };
      const run = await runFleet(stub, WORKERS, config, async (fleet) => {
        await fleet.paused(0);
        await redis.kill();
        fleet.go();
        await fleet.paused(1);
        await redis.restart();
        fleet.go();
      });
      console.log(`fleet, Redis killed and restarted: ${run.ok} ok, ${run.failed} failed, ${run.limited} answered 429, ${run.tokenRequests} token request(s); per process: ${run.results.map((r) => `${r.stats?.outages} outage/${r.stats?.resumptions} resumption`).join(", ")}`);
      expect(run.failed).toBe(0);
      expect(run.ok).toBe(run.calls);
      for (const result of run.results) {
        expect(result.calls).toBeGreaterThanOrEqual(CALLS);
        // Every process called while Redis was dead: it noticed, said so once, and shared again afterwards.
        expect(result.stats!.outages).toBeGreaterThanOrEqual(1);
        expect(result.stats!.resumptions).toBe(result.stats!.outages);
        expect(result.stats!.localReservations).toBeGreaterThan(0);
        expectOneWarningPerOutage(result);
      }
      // The token outlived the outage: still one request for the whole fleet.
      expect(run.tokenRequests).toBe(1);
    } finally {
      await stub.close();
    }
  });
});

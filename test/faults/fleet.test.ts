/**
 * Many processes on one API client, with a real redis-server (started here,
 * persistence off, on a free loopback port) and a stub that enforces a
 * scaled per-workspace limit. Windows are scaled down so the suite stays short,
 * through the SDK's own `pacing.limits` option (a one-second window), and the
 * two fleet runs each have their own Redis and stub, so they go side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { runFleet, startFleetStub, startRedis, FLEET_SECRET, type RedisServer, type WorkerResult } from "./fleet-harness.js";

const WORKERS = 8;
const LIMIT = 80; // per 1 s window, per workspace
const WINDOW_MS = 1000;
const CALLS = 24;

/** A Redis of the enclosing suite's own, started before its tests and stopped after them. */
function redisForSuite(): () => RedisServer {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  }, 300_000);
  afterAll(async () => {
    await redis?.stop();
  });
  return () => redis!;
}

/**
 * What every process promises whatever the machine's speed: one warning per outage of the store, each saying so.
 * (A store command that outlasts its one-second limit on a starved machine is an outage too.) The share is one
 * over the processes the store saw lately, at most the fleet's eight: a process slow to start may not be counted yet.
 */
function expectOneWarningPerOutage(result: WorkerResult): void {
  expect(result.warnings, result.warnings.join("\n")).toHaveLength(result.stats!.outages);
  for (const warning of result.warnings) expect(warning).toMatch(new RegExp(`^Shared state on Redis is unreachable .*paces on its share \\(1/[1-${WORKERS}]\\)`));
}

// The runs below have a Redis and a stub each: they go side by side, while each suite's own tests run in order.
describe.concurrent("a fleet sharing its budgets and token on Redis", () => {
  describe("on a store that stays up", () => {
    const store = redisForSuite();
    // Rates (calls per second against the limit) are the bench's figures (npm run bench): a test that asserts
    // one measures the machine. What holds at any speed: every call paced and answered, one token for all.
    it.sequential("paces every call on the shared budget and makes one token request in total", async () => {
      const redis = store();
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

    // What the run above left in the store.
    it.sequential("stores the token so the keyspace alone yields nothing usable, under keys without the secret", async () => {
      const client = new Redis(store().url);
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
  });

  describe("on a store that dies mid-run", () => {
    const store = redisForSuite();
    it("keeps every call working when Redis dies mid-run, warns once per outage, and shares again once it is back", async () => {
      const redis = store();
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
});

/**
 * Many processes on one API client, with a real redis-server (started here,
 * persistence off, on a free loopback port) and a stub that enforces a
 * scaled per-workspace limit. Windows are scaled down so the suite stays short.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { runFleet, startFleetStub, startRedis, FLEET_SECRET, type RedisServer } from "./fleet-harness.js";

const WORKERS = 8;
const LIMIT = 80; // per 2 s window, per workspace
const WINDOW_MS = 2000;
const CALLS = 40;

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

/** Each run starts from an empty store, as a fleet against a fresh stub would. */
async function flush(): Promise<void> {
  const client = new Redis(redis.url);
  await client.flushall();
  client.disconnect();
}

afterAll(async () => {
  await redis?.stop();
});

describe("a fleet sharing its budgets and token on Redis", () => {
  it("stays under the workspace limit with one token request in total, near the limit's rate", async () => {
    await flush();
    const stub = await startFleetStub({ limit: LIMIT, windowMs: WINDOW_MS });
    try {
      const run = await runFleet(stub, WORKERS, { calls: CALLS, concurrency: 6, limit: LIMIT, windowSeconds: WINDOW_MS / 1000, redisUrl: redis.url });
      console.log(`fleet, shared store: ${run.ok} ok, ${run.failed} failed, ${run.limited} answered 429, ${run.tokenRequests} token request(s), rate ${run.rateOverLimit.toFixed(3)} of the limit, busiest window ${run.busiestWindow}/${LIMIT}, ${run.results.reduce((n, r) => n + r.warnings.length, 0)} warning(s)`);
      expect(run.failed).toBe(0);
      expect(run.ok).toBe(WORKERS * CALLS);
      expect(run.tokenRequests).toBe(1);
      // Nearly none: only a process stalled well past its slot (a loaded machine) can push a late call into a full window.
      expect(run.limited).toBeLessThanOrEqual(run.ok * 0.05);
      expect(run.busiestWindow).toBeLessThanOrEqual(LIMIT);
      expect(run.rateOverLimit).toBeGreaterThan(0.9);
      expect(run.rateOverLimit).toBeLessThanOrEqual(1.0);
      for (const result of run.results) expect(result.warnings).toEqual([]);
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
  it("keeps every call working when Redis dies mid-run, warns once per process, and shares again once it is back", async () => {
    await flush();
    const stub = await startFleetStub({ limit: LIMIT, windowMs: WINDOW_MS });
    try {
      const run = await runFleet(stub, WORKERS, { calls: CALLS, concurrency: 6, limit: LIMIT, windowSeconds: WINDOW_MS / 1000, redisUrl: redis.url }, async () => {
        // Mid-run: once a third of the calls went through, whatever the machine's speed.
        while (stub.counts.ok < (WORKERS * CALLS) / 3) await new Promise((r) => setTimeout(r, 20));
        await redis.kill();
        await new Promise((r) => setTimeout(r, 1000));
        await redis.restart();
      });
      console.log(`fleet, Redis killed and restarted: ${run.ok} ok, ${run.failed} failed, ${run.limited} answered 429, ${run.tokenRequests} token request(s); per process: ${run.results.map((r) => `${r.stats?.outages} outage/${r.stats?.resumptions} resumption`).join(", ")}`);
      expect(run.failed).toBe(0);
      expect(run.ok).toBe(WORKERS * CALLS);
      for (const result of run.results) {
        expect(result.warnings, result.warnings.join("\n")).toHaveLength(1);
        expect(result.warnings[0]).toMatch(/^Shared state on Redis is unreachable .*paces on its share \(1\/8\)/);
        expect(result.stats).toMatchObject({ outages: 1, resumptions: 1 });
        expect(result.stats!.localReservations).toBeGreaterThan(0);
      }
      // The token outlived the outage: still one request for the whole fleet.
      expect(run.tokenRequests).toBe(1);
    } finally {
      await stub.close();
    }
  }, 60_000);
});

/**
 * The Redis seen store against a real redis-server: two receiving processes
 * (two connections) agree on which event ids were claimed, whatever the order
 * of claims and releases; when Redis is gone the handler answers 503 (GreenLake
 * retries) instead of processing an event twice, and the retry is processed
 * once Redis is back.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookHandler, redisSeenStore } from "../../src/webhooks/index.js";
import { startRedis, type RedisServer } from "./fleet-harness.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

describe("redisSeenStore", () => {
  it("two processes' stores agree with one set of claimed ids (property)", async () => {
    const a = redisSeenStore({ redis: redis.url, keyPrefix: "t1" });
    const b = redisSeenStore({ redis: redis.url, keyPrefix: "t1" });
    try {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), fc.constantFrom("claim", "release"), fc.constantFrom("x", "y", "z", "id:with:colons", "ü")), { maxLength: 30 }), async (steps) => {
          const prefix = `round-${round++}-`;
          const model = new Set<string>();
          for (const [first, action, id] of steps) {
            const store = first ? a : b;
            if (action === "claim") {
              expect(await store.claim(prefix + id)).toBe(!model.has(id));
              model.add(id);
            } else {
              await store.release(prefix + id);
              model.delete(id);
            }
          }
        }),
        { numRuns: 40 },
      );
      // Claimed at the same moment by both: exactly one wins.
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).claim("race")));
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("the handler answers 503 while Redis is gone, and processes the retry once it is back", async () => {
    const seen = redisSeenStore({ redis: redis.url, keyPrefix: "t2" });
    const processed: string[] = [];
    const handler = createWebhookHandler({ secrets: "s3cr3t", seen, onError: () => {}, onEvent: (e) => void processed.push(e.id) });
    const body = JSON.stringify({ specversion: "1.0", id: "evt-redis", source: "s", type: "t" });
    const request = { method: "POST", headers: { "hpe-webhook-signature": `sha256=${createHmac("sha256", "s3cr3t").update(body).digest("hex")}` }, body };
    try {
      await redis.kill();
      expect((await handler.handle(request)).status).toBe(503);
      expect(processed).toEqual([]);
      await redis.restart();
      // GreenLake's retry: the store connects again on it.
      expect((await handler.handle(request)).status).toBe(200);
      expect((await handler.handle(request)).status).toBe(200);
      expect(processed).toEqual(["evt-redis"]);
    } finally {
      await seen.close();
    }
  });
});

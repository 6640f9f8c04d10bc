/**
 * Which event ids were already received. GreenLake signs no timestamp, so a
 * captured delivery verifies forever; HPE advises remembering processed ids.
 * `claim` is atomic (one of two concurrent deliveries of an id wins) and
 * `release` gives an id back when its processing failed, so GreenLake's retry
 * is processed instead of refused.
 */

/** The commands the Redis seen store uses, as ioredis (or a compatible client) offers them. */
export interface RedisClientLike {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

export interface SeenStore {
  /** True when `id` was not held and now is; false when it was already held. */
  claim(id: string): Promise<boolean>;
  /** Forgets `id`, so a retry of it is processed. */
  release(id: string): Promise<void>;
}

export interface MemorySeenStoreOptions {
  /** How long an id is remembered; default 24 hours. */
  ttlSeconds?: number;
  /** At most this many ids are held, oldest dropped first; default 100,000. */
  maxIds?: number;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
}

/** Ids in process memory, each for `ttlSeconds`: right for one receiving process. */
export function memorySeenStore(options: MemorySeenStoreOptions = {}): SeenStore {
  const ttlMs = (options.ttlSeconds ?? 24 * 3600) * 1000;
  const maxIds = options.maxIds ?? 100_000;
  const now = options.now ?? Date.now;
  if (!(ttlMs > 0) || !(maxIds > 0)) throw new TypeError("memorySeenStore: ttlSeconds and maxIds must be positive.");
  // Insertion order is expiry order (one TTL for all), so the oldest entries are first.
  const expiries = new Map<string, number>();
  const sweep = (at: number) => {
    for (const [id, expires] of expiries) {
      if (expires > at && expiries.size <= maxIds) break;
      expiries.delete(id);
    }
  };
  return {
    async claim(id) {
      const at = now();
      sweep(at);
      const expires = expiries.get(id);
      if (expires !== undefined && expires > at) return false;
      expiries.delete(id);
      expiries.set(id, at + ttlMs);
      sweep(at);
      return true;
    },
    async release(id) {
      expiries.delete(id);
    },
  };
}

export interface RedisSeenStoreOptions {
  /** A Redis URL (`redis://127.0.0.1:6379`), or an ioredis client you connect and close yourself. */
  redis: string | RedisClientLike;
  /** Prefix of every key; default `greenlake:webhook-seen`. */
  keyPrefix?: string;
  /** How long an id is remembered; default 24 hours. */
  ttlSeconds?: number;
}

const CLAIM = `return redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1])`;

/**
 * Ids on Redis, shared by every process receiving the webhook. Needs the optional `ioredis` package
 * when given a URL (loaded on first use, as the SDK's `sharedState` does). A Redis failure is thrown:
 * the handler answers 503 and GreenLake retries, rather than an event being processed twice.
 */
export function redisSeenStore(options: RedisSeenStoreOptions): SeenStore & { close(): Promise<void> } {
  const prefix = options.keyPrefix ?? "greenlake:webhook-seen";
  const ttl = Math.max(1, Math.round(options.ttlSeconds ?? 24 * 3600));
  const source = options.redis;
  if (typeof source === "string" && !/^rediss?:\/\//.test(source)) throw new TypeError("redisSeenStore: redis must be a redis:// or rediss:// URL, or an ioredis client.");
  if (typeof source !== "string" && (source === null || typeof source !== "object" || typeof source.eval !== "function")) {
    throw new TypeError("redisSeenStore: redis must be a redis:// URL or an ioredis client (an object with eval and del).");
  }
  let client: Promise<RedisClientLike & { quit?(): Promise<unknown> }> | undefined;
  // A failed first connection is forgotten, so the next delivery tries again (GreenLake retries the 503 meanwhile).
  const connect = () =>
    (client ??= (async () => {
      if (typeof source !== "string") return source;
      let Redis: new (url: string, options: Record<string, unknown>) => RedisClientLike & { connect(): Promise<void>; on(event: string, f: () => void): void; quit(): Promise<unknown> };
      try {
        const mod = (await import("ioredis")) as unknown as { default?: unknown; Redis?: unknown };
        Redis = (mod.Redis ?? mod.default) as typeof Redis;
      } catch {
        throw new Error("redisSeenStore with a URL needs the ioredis package: npm install ioredis");
      }
      const c = new Redis(source, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 5000, commandTimeout: 1000 });
      c.on("error", () => {
        // Each failed command rejects on its own; ioredis would otherwise throw this as an unhandled event.
      });
      await c.connect();
      return c;
    })().catch((error: unknown) => {
      client = undefined;
      throw error;
    }));
  const key = (id: string) => `${prefix}:${id}`;
  return {
    async claim(id) {
      const answer = await (await connect()).eval(CLAIM, 1, key(id), ttl);
      return answer === "OK";
    },
    async release(id) {
      await (await connect()).del(key(id));
    },
    async close() {
      if (typeof source === "string" && client !== undefined) await (await client.catch(() => undefined))?.quit?.();
    },
  };
}

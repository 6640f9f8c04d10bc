/**
 * The shared store is advisory, never a hazard: whatever a Redis key holds,
 * however Redis fails, a call is never held longer than the limits allow.
 * A real redis-server (persistence off, loopback, free port) holds planted
 * values; a loopback server that answers the connection check and then never
 * again stands for a frozen Redis. Time in the store follows a controllable
 * clock, so verdicts count events, never wall-clock rates.
 */
import fc from "fast-check";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceMetadata } from "../../src/metadata.js";
import { sharedStateFor, TOKEN_LOCK_MS, STORE_WAIT_MS, type SharedState } from "../../src/internal/shared-state.js";
import type { StoreClock } from "../../src/internal/store-breaker.js";
import { createServiceClient } from "../../src/service-client.js";
import { createLog, silentLog } from "../../src/logging.js";
import { freePort, startRedis, type RedisServer } from "./fleet-harness.js";
import { globalService, json, stubFetch, type FixturePaths } from "../unit/support/fixtures.js";

let redis: RedisServer;
let admin: Redis;
let prefixes = 0;
const nextPrefix = (what: string): string => `${what}-${process.pid}-${prefixes++}`;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
}, 30_000);

afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

const quiet = { warn: () => undefined };
/** A client's log whose warnings go to `into`, as `logger: { warn }` makes it. */
const logInto = (into: string[]) => createLog({ logger: { warn: (m: string) => into.push(m) } });
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Lets this process's loopback servers read what was written to them (a calls' timeouts pass in virtual time). */
async function ioTurns(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A controllable clock: `sleep` (polls, back-offs) moves virtual time at once. `tick` (time spent waiting on a
 * command) either waits really but counts its nominal length (a working Redis must get to answer), or also
 * passes at once in virtual time (a frozen store, which never answers anyway).
 */
function virtualClock(ticks: "real" | "virtual") {
  let now = 1_000_000;
  const clock: StoreClock = {
    now: () => now,
    async sleep(ms) {
      now += Math.max(0, ms);
      await turn();
    },
    async tick(ms) {
      if (ticks === "real") await new Promise((resolve) => setTimeout(resolve, ms));
      else {
        now += ms;
        await turn();
      }
      return ms;
    },
  };
  return { clock, advance: (ms: number) => (now += ms), now: () => now };
}

/** Works on the store as it was before it took a call's allowance, too (that version ignores the extra arguments). */
function allowance(state: SharedState, timeoutMs: number): never {
  const s = state as unknown as { storeWait?: (t: number) => unknown };
  return (typeof s.storeWait === "function" ? s.storeWait(timeoutMs) : undefined) as never;
}

/**
 * The token entry the first issuer stored. It is written after the token is handed out, so it is waited for:
 * a limit for a hang (30 s), not a count of reads, which a busy machine used up before the write landed.
 */
async function storedTokenKey(prefix: string): Promise<string> {
  for (const giveUp = Date.now() + 30_000; ; ) {
    const [key] = await admin.keys(`${prefix}:token:*`);
    if (key !== undefined) return key;
    if (Date.now() > giveUp) throw new Error("the token was never stored");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

type Planted =
  | { type: "string"; value: string; ttlMs: number | null }
  | { type: "hash" | "list" | "set" | "zset" };

async function plant(key: string, value: Planted): Promise<void> {
  await admin.del(key);
  const nowUs = Date.now() * 1000;
  switch (value.type) {
    case "string": {
      const text = value.value.startsWith("AHEAD:") ? String(nowUs + Number(value.value.slice(6)) * 1_000_000) : value.value;
      if (value.ttlMs === null) await admin.set(key, text);
      else await admin.set(key, text, "PX", value.ttlMs);
      return;
    }
    case "hash":
      await admin.hset(key, "f", "1");
      return;
    case "list":
      await admin.rpush(key, "1");
      return;
    case "set":
      await admin.sadd(key, "1");
      return;
    case "zset":
      await admin.zadd(key, 1, "m");
      return;
  }
}

const plantedValue: fc.Arbitrary<Planted> = fc.oneof(
  fc.record({
    type: fc.constant("string" as const),
    value: fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom("-1", "nan", "inf", "1e400", "0x10", " 5", "9".repeat(40), ""),
      fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String),
      // Seconds ahead of now: from one second to a day.
      fc.integer({ min: 1, max: 86_400 }).map((s) => `AHEAD:${s}`),
    ),
    ttlMs: fc.option(fc.integer({ min: 1000, max: 100_000_000 }), { nil: null }),
  }),
  fc.record({ type: fc.constantFrom("hash" as const, "list" as const, "set" as const, "zset" as const) }),
);

describe("values read from the store", () => {
  it("a budget's next start is checked, capped and repaired, whatever the key holds (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        plantedValue,
        fc.option(plantedValue, { nil: undefined }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 100, max: 120_000 }),
        async (paceValue, membersValue, intervalMs, capMs) => {
          const prefix = nextPrefix("values");
          const warnings: string[] = [];
          const state = sharedStateFor({ redis: redis.url, keyPrefix: prefix }, logInto(warnings))!;
          await plant(`${prefix}:pace:budget`, paceValue);
          if (membersValue !== undefined) await plant(`${prefix}:members:all`, membersValue);
          const wait = await state.reserve("budget", intervalMs, 1000, capMs, allowance(state, 60_000));
          // Answered by the store (not paced locally after an error), and never longer than the cap.
          expect(wait).toBeTypeOf("number");
          expect(wait!).toBeGreaterThanOrEqual(0);
          expect(wait!).toBeLessThanOrEqual(capMs);
          expect(warnings).toEqual([]);
          // Repaired: a decimal next start that expires.
          expect(await admin.type(`${prefix}:pace:budget`)).toBe("string");
          expect(await admin.get(`${prefix}:pace:budget`)).toMatch(/^\d+$/);
          expect(await admin.pttl(`${prefix}:pace:budget`)).toBeGreaterThan(0);
          expect(state.peers).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it("a budget key set an hour ahead holds a call for one window plus the longest 429 hold, not the hour", async () => {
    const prefix = nextPrefix("hour");
    const state = sharedStateFor({ redis: redis.url, keyPrefix: prefix }, silentLog)!;
    await admin.set(`${prefix}:pace:budget`, String(Date.now() * 1000 + 3_600_000_000));
    const wait = await state.reserve("budget", 600, 60_000, 63_000 + 60_000, allowance(state, 60_000));
    expect(wait).toBeLessThanOrEqual(123_000);
  });
});

describe("the token lock", () => {
  /** A shared token issuer on its own prefix, with its token entry gone and `lock` planted in its place. */
  async function issuerWithPlantedLock(lock: Planted, timeoutMs: number) {
    const prefix = nextPrefix("lock");
    const { clock, now } = virtualClock("real");
    const state = sharedStateFor({ redis: redis.url, keyPrefix: prefix }, silentLog, { timeoutMs, clock })!;
    const credentials = { kind: "client-credentials", clientId: "3F2504E0-4F89-11D3-9A0C-0305E82C3301", clientSecret: () => "lock-secret", workspaceId: undefined, tokenUrl: "http://127.0.0.1:1/token" } as never;
    let issued = 0;
    const issue = async () => ({ accessToken: `lock-token-${++issued}`, expiresIn: 900 });
    await state.tokenIssuer(credentials, issue)();
    const tokenKey = await storedTokenKey(prefix);
    const lockKey = tokenKey!.replace(":token:", ":token-lock:");
    // Let the first issuer's own lock go, then plant.
    for (let i = 0; i < 100 && (await admin.exists(lockKey)) === 1; i++) await new Promise((r) => setTimeout(r, 5));
    await admin.del(tokenKey!);
    await plant(lockKey, lock);
    issued = 0;
    return { next: state.tokenIssuer(credentials, issue), issuedCount: () => issued, lockKey, now };
  }

  it("always expires, and holds a token request no longer than its time limit (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ type: fc.constant("string" as const), value: fc.string({ maxLength: 40 }), ttlMs: fc.option(fc.integer({ min: 1, max: 1_000_000_000 }), { nil: null }) }),
          fc.record({ type: fc.constantFrom("hash" as const, "list" as const, "set" as const, "zset" as const) }),
        ),
        fc.integer({ min: 20, max: 5_000 }),
        async (lock, timeoutMs) => {
          const { next, issuedCount, lockKey, now } = await issuerWithPlantedLock(lock, timeoutMs);
          const before = now();
          const token = await next();
          expect(token.accessToken).toBe("lock-token-1");
          expect(issuedCount()).toBe(1);
          // Waited on the planted lock no longer than the call's time limit, nor than a lock may live.
          expect(now() - before).toBeLessThanOrEqual(Math.min(timeoutMs, TOKEN_LOCK_MS));
          const ttl = await admin.pttl(lockKey);
          // Gone, or expiring within the longest lock this SDK sets (Redis answers 0 in the millisecond a key expires).
          expect(ttl === -2 || (ttl >= 0 && ttl <= TOKEN_LOCK_MS)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it("a lock key without expiry is taken over at once (timeoutMs 2000)", async () => {
    const { next, issuedCount, now, lockKey } = await issuerWithPlantedLock({ type: "string", value: "left-by-someone", ttlMs: null }, 2000);
    const before = now();
    await next();
    expect(issuedCount()).toBe(1);
    expect(now() - before).toBe(0);
    // The planted lock is gone (ours, if still there, expires).
    const ttl = await admin.pttl(lockKey);
    expect(ttl === -2 || (ttl >= 0 && ttl <= TOKEN_LOCK_MS)).toBe(true);
    expect(await admin.get(lockKey)).not.toBe("left-by-someone");
  });

  it("a token key of the wrong type costs no wait: the token is fetched once and stored", async () => {
    const prefix = nextPrefix("wrongtype");
    const { clock, now } = virtualClock("real");
    const state = sharedStateFor({ redis: redis.url, keyPrefix: prefix }, silentLog, { timeoutMs: 60_000, clock })!;
    const credentials = { kind: "client-credentials", clientId: "c", clientSecret: () => "s", workspaceId: undefined, tokenUrl: undefined } as never;
    let issued = 0;
    await state.tokenIssuer(credentials, async () => ({ accessToken: `t${++issued}`, expiresIn: 900 }))();
    const tokenKey = await storedTokenKey(prefix);
    await admin.del(tokenKey!);
    await admin.hset(tokenKey!, "x", "y");
    const before = now();
    await state.tokenIssuer(credentials, async () => ({ accessToken: `t${++issued}`, expiresIn: 900 }))();
    expect(issued).toBe(2);
    expect(now() - before).toBe(0);
    expect(state.stats.outages).toBe(0);
  });
});

describe("the identity budgets are kept for", () => {
  const limited: ServiceMetadata = {
    ...globalService,
    operations: globalService.operations.map((op) => ({
      ...op,
      rateLimits: [
        { requests: 1000, windowSeconds: 1, scope: "workspace" as const, source: "test" },
        { requests: 500, windowSeconds: 1, scope: "api-client" as const, source: "test" },
      ],
    })),
  };

  /** Spellings of one UUID: any case, with or without its hyphens. */
  const spellings = (hex: string) =>
    fc.tuple(fc.boolean(), fc.array(fc.boolean(), { minLength: 32, maxLength: 32 })).map(([hyphens, upper]) => {
      const chars = [...hex].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("");
      return hyphens ? `${chars.slice(0, 8)}-${chars.slice(8, 12)}-${chars.slice(12, 16)}-${chars.slice(16, 20)}-${chars.slice(20)}` : chars;
    });
  const given = (value: string) => fc.constantFrom<"value" | "sync" | "async">("value", "sync", "async").map((how) => (how === "value" ? value : how === "sync" ? () => value : async () => value));

  it("is the resolved, normalised API client and workspace, however they are given (property)", async () => {
    const hex = fc.stringMatching(/^[0-9a-f]{32}$/);
    await fc.assert(
      fc.asyncProperty(
        hex.chain((client) => hex.chain((ws) => fc.tuple(spellings(client).chain(given), spellings(client).chain(given), spellings(ws).chain(given), spellings(ws).chain(given)))),
        async ([clientA, clientB, wsA, wsB]) => {
          const prefix = nextPrefix("identity");
          const keysOf = async (clientId: unknown, workspaceId: unknown): Promise<string[]> => {
            const before = new Set(await admin.keys(`${prefix}:pace:*`));
            const { fetch } = stubFetch(() => json({}));
            const client = createServiceClient<FixturePaths>(limited, {
              clientId: clientId as string,
              clientSecret: "identity-secret",
              workspaceId: workspaceId as string,
              fetch,
              env: {},
              logger: quiet,
              sharedState: { redis: redis.url, keyPrefix: prefix },
              // The token comes from a stub issuer answering on the stub fetch: only budgets are compared.
              tokenUrl: "http://127.0.0.1:9/token",
            });
            await client.GET("/identity/v1/users", { headers: { authorization: "Bearer caller-token" } });
            return (await admin.keys(`${prefix}:pace:*`)).filter((k) => !before.has(k)).sort();
          };
          const first = await keysOf(clientA, wsA);
          expect(first).toHaveLength(2);
          // The second client draws on the same two budgets: no new key appears.
          expect(await keysOf(clientB, wsB)).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});

describe("store warnings", () => {
  it("reach each client's own logger, once per outage (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 4 }), async (clients, callsEach) => {
        const port = await freePort();
        const prefix = nextPrefix("loggers");
        const logs = Array.from({ length: clients }, () => [] as string[]);
        const limited = { ...globalService, operations: globalService.operations.map((op) => ({ ...op, rateLimits: [{ requests: 1000, windowSeconds: 1, scope: "workspace" as const, source: "test" }] })) };
        for (let i = 0; i < clients; i++) {
          const { fetch } = stubFetch(() => json({}));
          const client = createServiceClient<FixturePaths>(limited, {
            token: "t",
            fetch,
            env: {},
            logger: { warn: (m: string) => logs[i]!.push(m) },
            sharedState: { redis: `redis://127.0.0.1:${port}`, keyPrefix: prefix },
          });
          for (let c = 0; c < callsEach; c++) expect((await client.GET("/identity/v1/users")).response.status).toBe(200);
        }
        for (const log of logs) {
          expect(log).toHaveLength(1);
          expect(log[0]).toMatch(/^Shared state on Redis is unreachable/);
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});

/** One RESP command (an array of bulk strings) from the start of `data`, if whole. */
function readCommand(data: Buffer): { args: string[]; length: number } | undefined {
  const text = data.toString("latin1");
  const header = /^\*(\d+)\r\n/.exec(text);
  if (header === null) return undefined;
  let at = header[0].length;
  const args: string[] = [];
  for (let i = 0; i < Number(header[1]); i++) {
    const bulk = /^\$(\d+)\r\n/.exec(text.slice(at));
    if (bulk === null) return undefined;
    const start = at + bulk[0].length;
    const end = start + Number(bulk[1]);
    if (text.length < end + 2) return undefined;
    args.push(text.slice(start, end));
    at = end + 2;
  }
  return { args, length: at };
}

/** A Redis that answers the connection check, then never again; counts the scripts it was sent. */
async function startFrozenRedis(): Promise<{ url: string; scripts: () => number; checked: Promise<void>; close(): Promise<void> }> {
  let scripts = 0;
  let answeredCheck!: () => void;
  const checked = new Promise<void>((resolve) => (answeredCheck = resolve));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const command = readCommand(pending);
        if (command === undefined) break;
        pending = pending.subarray(command.length);
        const name = (command.args[0] ?? "").toLowerCase();
        if (name === "eval" || name === "evalsha") {
          scripts++; // frozen: never answered
          continue;
        }
        if (name === "info") {
          const info = "# Server\r\nredis_version:7.0.0\r\nloading:0\r\n";
          socket.write(`$${info.length}\r\n${info}\r\n`, () => answeredCheck());
        } else socket.write("+OK\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    scripts: () => scripts,
    checked,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("a frozen store", () => {
  const limited = { ...globalService, operations: globalService.operations.map((op) => ({ ...op, rateLimits: [{ requests: 1000, windowSeconds: 1, scope: "workspace" as const, source: "test" }] })) };

  it("holds no call longer than 250 ms or its timeoutMs, and a breaker keeps calls off it until a back-off has passed (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 20, max: 3_000 }), async (calls, timeoutMs) => {
        const frozen = await startFrozenRedis();
        try {
          const { clock, advance, now } = virtualClock("virtual");
          const warnings: string[] = [];
          const log = { warn: (m: string) => warnings.push(m) };
          const sharedState = { redis: frozen.url, keyPrefix: nextPrefix("frozen") };
          // The process's store, on the controllable clock; the client below shares it.
          sharedStateFor(sharedState, silentLog, { timeoutMs, clock });
          const { fetch, requests } = stubFetch(() => json({}));
          const client = createServiceClient<FixturePaths>(limited, { token: "t", fetch, env: {}, logger: log, timeoutMs, sharedState });
          const bound = Math.min(STORE_WAIT_MS, timeoutMs);
          // The connection opens in the background (the frozen store answers its check); let the client read that answer.
          await frozen.checked;
          for (let i = 0; i < 20; i++) await turn();
          await new Promise((resolve) => setTimeout(resolve, 0));
          for (let i = 0; i < calls; i++) {
            const before = now();
            expect((await client.GET("/identity/v1/users")).response.status).toBe(200);
            // The first call may also wait, once, for the process's first connection.
            expect(now() - before).toBeLessThanOrEqual(i === 0 ? bound + Math.min(1000, timeoutMs) : bound);
          }
          expect(requests).toHaveLength(calls);
          await ioTurns();
          // One script reached the frozen store; every later call was kept off it by the breaker.
          expect(frozen.scripts()).toBeLessThanOrEqual(1);
          expect(warnings).toHaveLength(1);
          // After the back-off, one call probes it again; the calls right after stay off it.
          const sent = frozen.scripts();
          advance(5_000);
          for (let i = 0; i < 3; i++) expect((await client.GET("/identity/v1/users")).response.status).toBe(200);
          await ioTurns();
          expect(frozen.scripts()).toBe(sent + 1);
          expect(warnings).toHaveLength(1);
        } finally {
          await frozen.close();
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});

/**
 * A store the processes of one API client share, on Redis: rate budgets
 * (one next-start time per budget, reserved atomically) and the access token
 * (encrypted with a key derived from the client secret). Nothing loads or
 * connects unless `sharedState` is set.
 *
 * The store is advisory: every value read from it is checked (type, range,
 * expiry) and repaired or ignored when wrong; a lock always expires; a wait
 * read from it is capped by what the limit allows; a call waits on it at most
 * STORE_WAIT_MS (or its own timeoutMs, if smaller). After a failure a breaker
 * keeps calls off the store (each process paces on its share and fetches its
 * own token) and probes it again after a back-off; each client's logger gets
 * one warning per outage.
 */
import { nodeCrypto } from "./node-crypto.js";
import type { IssuedToken } from "./credentials.js";
import { configurationError, GreenLakeConfigurationError } from "../errors.js";
import type { Log } from "../logging.js";
import type { Credentials } from "./credentials.js";
import { resolveIdentity } from "./identity.js";
import { revealSecret } from "./redaction.js";
import type { SharedBudgets } from "./pacing.js";
import { realClock, StoreBreaker, type StoreClock } from "./store-breaker.js";

/** The few commands used, as ioredis (or a compatible client) offers them. */
export interface RedisClientLike {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  readonly status?: string;
}

export interface SharedStateOptions {
  /** A Redis URL (`redis://127.0.0.1:6379`), or an ioredis client you connect and close yourself. */
  redis: string | RedisClientLike;
  /** Prefix of every key; default `greenlake`. */
  keyPrefix?: string;
}

export interface SharedStateStats {
  /** Times the store became unreachable (each logged with one warning per client). */
  readonly outages: number;
  /** Times it came back and sharing resumed. */
  readonly resumptions: number;
  /** Budget reservations the store answered, and those paced locally instead. */
  readonly sharedReservations: number;
  readonly localReservations: number;
}

/** Longest a call waits on the store (all its commands together), unless its timeoutMs is shorter. */
export const STORE_WAIT_MS = 250;
/** Longest a token lock lives; a lock found without expiry, or with a longer one, is not ours and is removed. */
export const TOKEN_LOCK_MS = 30_000;
/** Largest sealed token entry read back; anything longer was not written by this SDK. */
const MAX_SEALED_CHARS = 16_384;
const MAX_PEERS = 1_000;
const TOKEN_POLL_MS = 25;
// A process's first connection may take longer than a call may wait: it goes on in the background, and calls pace locally meanwhile.
const CONNECT_TIMEOUT_MS = 5_000;
/** How long calls may wait, once per process, for its first connection to the store. */
export const FIRST_CONNECT_WAIT_MS = 1_000;

// A budget's next start (microseconds) into `nextStart`, shared by the scripts below: 0 unless the key holds a
// plain decimal string of at most 20 digits; a key of any other type is deleted.
const READ_NEXT_START = `local nextStart = 0
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'string' then
  if redis.call('STRLEN', KEYS[1]) <= 20 then
    local raw = redis.call('GET', KEYS[1])
    if string.match(raw, '^%d+$') then nextStart = tonumber(raw) end
  end
elseif kind ~= 'none' then
  redis.call('DEL', KEYS[1])
end`;

// Reads a budget's next start (microseconds) only when it is a plain decimal string: any other type is deleted,
// any other text ignored. A next start later than now + cap (ARGV[4]) is pulled back to it. Redis's clock serves
// every process, so their clocks need not agree. Also counts the processes sharing (members: a sorted set, trimmed
// of entries from the future as well as the past).
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local cap = tonumber(ARGV[4])
${READ_NEXT_START}
local start = math.min(math.max(now, nextStart), now + cap)
local ttl = math.max(1, math.ceil((start + interval - now) / 1000) + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], string.format('%d', start + interval), 'PX', ttl)
local members = redis.call('TYPE', KEYS[2]).ok
if members ~= 'zset' and members ~= 'none' then redis.call('DEL', KEYS[2]) end
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 10000000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '(' .. string.format('%d', now + 1000000), '+inf')
redis.call('PEXPIRE', KEYS[2], 60000)
return {start - now, redis.call('ZCARD', KEYS[2])}
`;

// A 429's requested wait (ms, already capped by the caller): no process starts before it is over.
const BLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untilTime = now + tonumber(ARGV[1]) * 1000
${READ_NEXT_START}
if untilTime > nextStart then
  redis.call('SET', KEYS[1], string.format('%d', untilTime), 'PX', tonumber(ARGV[1]) + tonumber(ARGV[2]))
end
return 1
`;

// The sealed token, or nil: a key of another type, too long, or without expiry was not written here and is removed.
const GET_TOKEN = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return false end
if kind ~= 'string' or redis.call('STRLEN', KEYS[1]) > tonumber(ARGV[1]) or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('DEL', KEYS[1])
  return false
end
return redis.call('GET', KEYS[1])
`;

// Takes the token lock: {1, 0}, or {0, its remaining ms}. A lock that never expires, expires later than any
// lock we set, or is not a string was not set by a process of this SDK: it is removed, so a lock always expires.
const LOCK = `
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'none' then
  local ttl = redis.call('PTTL', KEYS[1])
  if kind ~= 'string' or ttl < 0 or ttl > tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, 0} end
return {0, redis.call('PTTL', KEYS[1])}
`;

const SET_PX = `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`;
const DEL_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200).replace(/[\u0000-\u001f\u007f-\u009f]/g, " ") : "unknown error";
}

class StoreTimeout extends Error {}

const TICK_MS = 25;

/**
 * What one call may still spend waiting on the store, in this process's own time: a tick that fires late because
 * the machine was busy counts at most twice its length, so a loaded machine does not pass for a silent store.
 */
export class StoreWait {
  #left: number;
  constructor(ms: number) {
    this.#left = ms;
  }
  remaining(): number {
    return this.#left;
  }
  spend(ms: number): void {
    this.#left -= ms;
  }
}

/**
 * Settles with the promise if it settles within what `wait` has left; otherwise rejects. One turn of the event
 * loop is allowed after the time is up, so an answer that arrived while this process was busy is not taken for silence.
 */
async function within<T>(promise: Promise<T>, wait: StoreWait, clock: StoreClock, onLate?: () => void): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  const done = tracked.then(
    () => undefined,
    () => undefined,
  );
  const limit = wait.remaining();
  let counted = 0;
  while (!settled && counted < limit) {
    const step = Math.min(TICK_MS, limit - counted);
    const started = clock.now();
    const ticked = await Promise.race([done, clock.tick(step)]);
    // An answer ends the tick early: count the part of it that passed.
    counted += typeof ticked === "number" ? ticked : Math.min(Math.max(0, clock.now() - started), step * 2);
  }
  wait.spend(counted);
  if (!settled) await new Promise<void>((resolve) => setImmediate(resolve));
  if (settled) return tracked;
  if (onLate !== undefined) tracked.then(onLate, () => undefined);
  throw new StoreTimeout(`no answer within ${Math.round(limit)} ms`);
}

/** Owns the Redis connection when given a URL; otherwise uses the caller's client as is. */
type OwnedClient = RedisClientLike & { connect?(): Promise<void>; once?(event: string, fn: () => void): void; off?(event: string, fn: () => void): void };

class RedisHandle {
  #client: OwnedClient | undefined;
  #loading: Promise<void> | undefined;
  #connecting: Promise<void> | undefined;
  #pending = 0;
  #everReady = false;

  constructor(private readonly source: string | RedisClientLike) {
    if (typeof source !== "string") this.#client = source;
  }

  get owned(): boolean {
    return typeof this.source === "string";
  }

  /** Starts loading ioredis and connecting, so a first call finds the connection under way. */
  warm(): void {
    if (this.owned) this.#load().catch(() => undefined);
  }

  #load(): Promise<void> {
    this.#loading ??= (async () => {
      let Redis: typeof import("ioredis").default;
      try {
        const mod = (await import("ioredis")) as unknown as { default?: unknown; Redis?: unknown };
        Redis = (mod.Redis ?? mod.default) as typeof Redis;
      } catch {
        throw configurationError("sharedState.redis needs the ioredis package: npm install ioredis");
      }
      // Fail fast instead of queueing: calls bound their own waits, and reconnects are the breaker's.
      const client = new Redis(this.source as string, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: CONNECT_TIMEOUT_MS,
        commandTimeout: CONNECT_TIMEOUT_MS,
        retryStrategy: () => null,
      });
      client.on("error", () => {
        // Reported once per outage to each client's logger; ioredis would otherwise throw it as an unhandled event.
      });
      // An idle connection must not keep the user's process alive.
      client.on("connect", () => this.#unrefWhenIdle());
      this.#client = client as unknown as OwnedClient;
      this.#connect();
    })();
    return this.#loading;
  }

  #connect(): void {
    const client = this.#client;
    if (client?.connect === undefined) return;
    this.#connecting = client.connect().catch(() => undefined).finally(() => {
      this.#connecting = undefined;
    });
  }

  #unrefWhenIdle(): void {
    const stream = (this.#client as { stream?: { ref?(): void; unref?(): void } } | undefined)?.stream;
    if (this.#pending === 0) stream?.unref?.();
    else stream?.ref?.();
  }

  /** The client, ready for commands, within `ms`; throws when it cannot be had in time. */
  async ready(wait: StoreWait, firstConnectMs: number, clock: StoreClock): Promise<RedisClientLike> {
    if (!this.owned) return this.#client!;
    // The process's first connection may be slow to open on a busy machine: a call waits for it up to
    // `firstConnectMs`, once, without spending its allowance; later connections get the allowance only.
    if (this.#client?.status === "ready") {
      this.#everReady = true;
      return this.#client;
    }
    const connectWait = this.#everReady ? wait : new StoreWait(Math.max(wait.remaining(), firstConnectMs));
    if (this.#client === undefined) await within(this.#load(), connectWait, clock);
    const client = this.#client!;
    if (client.status === "ready") {
      this.#everReady = true;
      return client;
    }
    if (client.status === "end" || client.status === "close") this.#connect();
    const connecting = this.#connecting;
    if (connecting === undefined) throw new Error(`not connected (${client.status ?? "unknown"})`);
    await within(
      new Promise<void>((resolve, reject) => {
        const ready = (): void => resolve();
        client.once?.("ready", ready);
        void connecting.then(() => {
          client.off?.("ready", ready);
          if (client.status === "ready") resolve();
          else reject(new Error("connection refused or closed"));
        });
      }),
      connectWait,
      clock,
    );
    this.#everReady = true;
    return client;
  }

  /** Runs a command with the connection held open for it. */
  async run<T>(command: () => Promise<T>, wait: StoreWait, clock: StoreClock, onLate?: () => void): Promise<T> {
    this.#pending++;
    if (this.owned) this.#unrefWhenIdle();
    try {
      return await within(command(), wait, clock, onLate);
    } finally {
      this.#pending--;
      if (this.owned) this.#unrefWhenIdle();
    }
  }
}

/** A reply that is not what the script returns: the store is not behaving as Redis. */
class BadReply extends Error {}

/** One Redis per process: one connection, one breaker, shared by every client that names it. */
class SharedStore {
  readonly handle: RedisHandle;
  readonly breaker: StoreBreaker;
  readonly member = nodeCrypto().randomUUID();
  peers = 1;
  readonly stats = { sharedReservations: 0, localReservations: 0 };

  constructor(
    options: SharedStateOptions,
    readonly prefix: string,
    readonly clock: StoreClock,
  ) {
    this.handle = new RedisHandle(options.redis);
    this.breaker = new StoreBreaker(clock);
    this.handle.warm();
  }

  key(kind: string, id: string): string {
    return `${this.prefix}:${kind}:${id}`;
  }
}

const UNAVAILABLE = Symbol("unavailable");

/** The shared store as one client sees it: budgets for pacing, tokens for auth, warnings to this client's logger. */
export class SharedState implements SharedBudgets {
  readonly #store: SharedStore;
  readonly #log: Log;
  readonly #timeoutMs: number;
  #warnedOutage = 0;
  #toldResumed = 0;

  constructor(store: SharedStore, log: Log, timeoutMs: number) {
    this.#store = store;
    this.#log = log;
    this.#timeoutMs = timeoutMs;
  }

  get peers(): number {
    return this.#store.peers;
  }

  get stats(): SharedStateStats {
    const { breaker, stats } = this.#store;
    return { outages: breaker.outages, resumptions: breaker.resumptions, ...stats };
  }

  /** What a call with this time limit may spend waiting on the store. */
  storeWait(timeoutMs?: number): StoreWait {
    return new StoreWait(Math.max(0, Math.min(STORE_WAIT_MS, timeoutMs ?? this.#timeoutMs)));
  }

  #noteDown(reason: string): void {
    const outage = this.#store.breaker.outages;
    if (outage <= this.#warnedOutage) return;
    this.#warnedOutage = outage;
    this.#log.warn(
      `Shared state on Redis is unreachable (${reason}); this process now paces on its share (1/${this.#store.peers}) of each limit and fetches its own token until Redis is back.`,
    );
  }

  #noteUp(): void {
    if (this.#warnedOutage <= this.#toldResumed || this.#store.breaker.isOpen) return;
    this.#toldResumed = this.#warnedOutage;
    this.#log.info("Shared state on Redis is reachable again; budgets and the token are shared again.");
  }

  /**
   * Runs one script within what the call may still wait; `UNAVAILABLE` when the breaker keeps it off the store,
   * the time is spent, or the store failed (which opens the breaker). `check` validates the reply.
   */
  async #command<T>(wait: StoreWait, command: (client: RedisClientLike) => Promise<unknown>, check: (reply: unknown) => T): Promise<T | typeof UNAVAILABLE> {
    const { breaker, handle, clock } = this.#store;
    if (wait.remaining() <= 0) return UNAVAILABLE;
    const gate = breaker.pass();
    if (gate === "open") {
      this.#noteDown("it failed a moment ago");
      return UNAVAILABLE;
    }
    try {
      const client = await handle.ready(wait, Math.min(FIRST_CONNECT_WAIT_MS, this.#timeoutMs), clock);
      if (wait.remaining() <= 0) {
        // The connection took this call's time: it paces locally; the next call finds the connection open.
        breaker.abandoned();
        return UNAVAILABLE;
      }
      // A late answer shows the store alive (the machine was busy): calls may use it again at once.
      const reply = check(await handle.run(() => command(client), wait, clock, () => breaker.answeredLate()));
      breaker.succeeded();
      this.#noteUp();
      return reply;
    } catch (error) {
      if (error instanceof GreenLakeConfigurationError) {
        breaker.abandoned();
        throw error;
      }
      breaker.failed();
      this.#noteDown(error instanceof BadReply ? `an unexpected answer: ${error.message}` : describe(error));
      return UNAVAILABLE;
    }
  }

  /** Waits (ms) before the budget's next start, never more than `capMs`; `undefined` to pace locally. */
  async reserve(key: string, intervalMs: number, windowMs: number, capMs: number, wait: StoreWait): Promise<number | undefined> {
    const store = this.#store;
    const cap = Math.max(0, Math.ceil(capMs));
    const reply = await this.#command(
      wait,
      (c) => c.eval(RESERVE, 2, store.key("pace", key), store.key("members", "all"), Math.ceil(intervalMs * 1000), Math.ceil(windowMs), store.member, cap * 1000),
      (r) => {
        if (!Array.isArray(r) || r.length !== 2 || !Number.isSafeInteger(r[0]) || !Number.isSafeInteger(r[1])) throw new BadReply("not two integers");
        return r as [number, number];
      },
    );
    if (reply === UNAVAILABLE) {
      store.stats.localReservations++;
      return undefined;
    }
    store.stats.sharedReservations++;
    store.peers = Math.min(MAX_PEERS, Math.max(1, reply[1]));
    return Math.min(cap, Math.max(0, reply[0] / 1000));
  }

  /** Holds a budget back for every process; the call does not wait for the store to take it. */
  block(key: string, delayMs: number, windowMs: number): void {
    const store = this.#store;
    void this.#command(this.storeWait(), (c) => c.eval(BLOCK, 1, store.key("pace", key), Math.max(0, Math.ceil(delayMs)), Math.max(1, Math.ceil(windowMs))), () => 1);
  }

  /**
   * Wraps a client-credentials token request so the processes of one API
   * client share the token: the first fetches it (under a lock that always
   * expires) and stores it encrypted; the others read it. A token this process
   * already handed out and is asked to replace (refresh, or a 401) is never
   * served again. A call waits on the store at most STORE_WAIT_MS, and on
   * another process's token request at most its timeoutMs.
   */
  tokenIssuer(credentials: Extract<Credentials, { kind: "client-credentials" }>, issue: () => Promise<IssuedToken>): () => Promise<IssuedToken> {
    let handedOut: string | undefined;
    const store = this.#store;
    const { clock } = store;
    const fromStore = (entry: StoredToken): IssuedToken => {
      handedOut = entry.accessToken;
      return { accessToken: entry.accessToken, expiresIn: Math.max(1, Math.floor((entry.expiresAt - clock.now()) / 1000)) };
    };
    const sealedOrNull = (r: unknown): string | null => {
      if (r === null || typeof r === "string") return r;
      throw new BadReply("a token entry that is not text");
    };
    return async () => {
      const id = await resolveIdentity(credentials.clientId);
      const secret = await revealSecret(credentials.clientSecret);
      const workspace = credentials.workspaceId === undefined ? "" : await resolveIdentity(credentials.workspaceId);
      if (id === undefined || workspace === undefined || typeof secret !== "string" || secret === "") return issue();
      // Identifies the cache entry without the secret; the encryption key comes from the secret.
      const scope = nodeCrypto().createHash("sha256").update(`${credentials.tokenUrl ?? ""}\n${id}\n${workspace}`).digest("base64url").slice(0, 32);
      const tokenKey = store.key("token", scope);
      const lockKey = store.key("token-lock", scope);
      const cipherKey = Buffer.from(nodeCrypto().hkdfSync("sha256", secret, scope, "greenlake-sdk shared token v1", 32));
      // Another process's token request gets as long as ours would, and no lock lives longer than TOKEN_LOCK_MS.
      const lockDeadline = clock.now() + Math.min(this.#timeoutMs, TOKEN_LOCK_MS);
      const nonce = nodeCrypto().randomUUID();
      for (;;) {
        // Each look at the store (read, lock, read again) waits on it at most the call's allowance.
        const wait = this.storeWait();
        const stored = await this.#command(wait, (c) => c.eval(GET_TOKEN, 1, tokenKey, MAX_SEALED_CHARS), sealedOrNull);
        if (stored === UNAVAILABLE) return issue();
        const cached = stored === null ? undefined : openToken(stored, cipherKey, clock.now());
        if (cached !== undefined && cached.accessToken !== handedOut && usable(cached, clock.now())) return fromStore(cached);
        const lock = await this.#command(wait, (c) => c.eval(LOCK, 1, lockKey, nonce, TOKEN_LOCK_MS), (r) => {
          if (!Array.isArray(r) || r.length !== 2 || (r[0] !== 0 && r[0] !== 1) || !Number.isSafeInteger(r[1])) throw new BadReply("not a lock answer");
          return r as [0 | 1, number];
        });
        if (lock === UNAVAILABLE) return issue();
        if (lock[0] === 1) {
          // Another process may have stored a token between our read and our lock: use it rather than ask again.
          const again = await this.#command(wait, (c) => c.eval(GET_TOKEN, 1, tokenKey, MAX_SEALED_CHARS), sealedOrNull);
          const fresh = typeof again === "string" ? openToken(again, cipherKey, clock.now()) : undefined;
          if (fresh !== undefined && fresh.accessToken !== handedOut && usable(fresh, clock.now())) {
            this.#release(lockKey, nonce);
            return fromStore(fresh);
          }
          let issued: IssuedToken;
          const started = clock.now();
          try {
            issued = await issue();
          } catch (error) {
            this.#release(lockKey, nonce);
            throw error;
          }
          const lifetimeMs = Math.min(Math.max(0, issued.expiresIn) * 1000, MAX_LIFETIME_MS);
          if (lifetimeMs >= 1000) {
            // Stored, then the lock released, without the call waiting for either.
            const entry = { accessToken: issued.accessToken, expiresAt: started + lifetimeMs, lifetimeMs };
            const sealed = sealToken(entry, cipherKey);
            void this.#command(this.storeWait(), (c) => c.eval(SET_PX, 1, tokenKey, sealed, Math.floor(lifetimeMs)), () => 1).then(() => this.#release(lockKey, nonce));
          } else this.#release(lockKey, nonce);
          handedOut = issued.accessToken;
          return issued;
        }
        // Another process is fetching: wait for its token (while its lock lives, up to our own time limit).
        const now = clock.now();
        if (now >= lockDeadline) return issue();
        await clock.sleep(Math.max(1, Math.min(TOKEN_POLL_MS, lockDeadline - now, lock[1] > 0 ? lock[1] : TOKEN_POLL_MS)));
      }
    };
  }

  #release(lockKey: string, nonce: string): void {
    void this.#command(this.storeWait(), (c) => c.eval(DEL_IF, 1, lockKey, nonce), () => 1);
  }
}

/** A token lifetime beyond this is not believed (a day): the entry is kept no longer. */
const MAX_LIFETIME_MS = 86_400_000;
/** A token is sent in a header: visible ASCII only, of a sane length. */
const TOKEN_TEXT = /^[\x21-\x7e]{1,8192}$/;

interface StoredToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly lifetimeMs: number;
}

/** Fresh enough to hand out: before the refresh margin auth.ts uses (a fifth of the lifetime, 10 s to 5 min). */
function usable(token: StoredToken, now: number): boolean {
  const margin = Math.min(300_000, Math.max(10_000, token.lifetimeMs / 5));
  return now < token.expiresAt - margin;
}

/** AES-256-GCM: a reader of the keyspace without the client secret learns nothing usable. */
export function sealToken(token: StoredToken, key: Buffer): string {
  const iv = nodeCrypto().randomBytes(12);
  const cipher = nodeCrypto().createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(token), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

/**
 * The stored token, or `undefined` when it was sealed with another secret, tampered with, or holds what no
 * token request gives: text that cannot go in a header, a lifetime over a day, an expiry further off than its lifetime.
 */
export function openToken(sealed: string, key: Buffer, now = Date.now()): StoredToken | undefined {
  try {
    if (sealed.length > MAX_SEALED_CHARS) return undefined;
    const raw = Buffer.from(sealed, "base64");
    if (raw.length < 29) return undefined;
    const decipher = nodeCrypto().createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const parsed = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as Partial<StoredToken> | null;
    if (parsed === null || typeof parsed !== "object") return undefined;
    const { accessToken, expiresAt, lifetimeMs } = parsed;
    if (typeof accessToken !== "string" || !TOKEN_TEXT.test(accessToken)) return undefined;
    if (typeof lifetimeMs !== "number" || !Number.isFinite(lifetimeMs) || lifetimeMs < 1000 || lifetimeMs > MAX_LIFETIME_MS) return undefined;
    if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt) || expiresAt <= now || expiresAt > now + lifetimeMs) return undefined;
    return { accessToken, expiresAt, lifetimeMs };
  } catch {
    return undefined;
  }
}

// One store (one connection, one breaker) per Redis URL or client in a process; a view of it per client.
const byUrl = new Map<string, SharedStore>();
const byClient = new WeakMap<object, SharedStore>();

export interface SharedStateContext {
  /** The client's time limit per attempt: a call waits on the store no longer than this (nor than STORE_WAIT_MS). */
  readonly timeoutMs?: number | undefined;
  /** The clock the store's back-off, waits and lock deadlines follow; tests pass a controllable one. */
  readonly clock?: StoreClock | undefined;
}

/**
 * This client's view of the process's shared state for these options (warnings go to `log`);
 * `undefined` (nothing loaded) when not configured.
 */
export function sharedStateFor(options: SharedStateOptions | undefined, log: Log, context: SharedStateContext = {}): SharedState | undefined {
  if (options === undefined) return undefined;
  const redis = (options as { redis?: unknown } | null)?.redis;
  const prefix = options.keyPrefix ?? "greenlake";
  const timeoutMs = typeof context.timeoutMs === "number" && context.timeoutMs > 0 ? context.timeoutMs : 60_000;
  const clock = context.clock ?? realClock;
  if (typeof redis === "string") {
    if (!/^rediss?:\/\//.test(redis)) throw configurationError("sharedState.redis must be a redis:// or rediss:// URL, or an ioredis client.");
    const key = `${redis}\n${prefix}`;
    let store = byUrl.get(key);
    if (store === undefined) {
      store = new SharedStore(options, prefix, clock);
      byUrl.set(key, store);
    }
    return new SharedState(store, log, timeoutMs);
  }
  if (redis === null || typeof redis !== "object" || typeof (redis as RedisClientLike).eval !== "function") {
    throw configurationError("sharedState.redis must be a redis:// URL or an ioredis client (an object with eval).");
  }
  let store = byClient.get(redis);
  if (store === undefined) {
    store = new SharedStore(options, prefix, clock);
    byClient.set(redis, store);
  }
  return new SharedState(store, log, timeoutMs);
}

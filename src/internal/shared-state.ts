/**
 * A store the processes of one API client share, on Redis: rate budgets
 * (one next-start time per budget, reserved atomically) and the access token
 * (encrypted with a key derived from the client secret). Nothing loads or
 * connects unless `sharedState` is set. When Redis is away each process
 * paces on its own share and fetches its own token, with one warning; no call
 * fails because of Redis, and sharing resumes when it is back.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomUUID } from "node:crypto";
import type { IssuedToken } from "./credentials.js";
import { configurationError, GreenLakeConfigurationError } from "../errors.js";
import type { Log } from "../logging.js";
import type { Credentials } from "./credentials.js";
import { resolveProvider } from "./credentials.js";
import { revealSecret } from "./redaction.js";
import type { SharedBudgets } from "./pacing.js";
import { sleep } from "./timeouts.js";

/** The few commands used, as ioredis (or a compatible client) offers them. */
export interface RedisClientLike {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  del(key: string): Promise<unknown>;
  readonly status?: string;
}

export interface SharedStateOptions {
  /** A Redis URL (`redis://127.0.0.1:6379`), or an ioredis client you connect and close yourself. */
  redis: string | RedisClientLike;
  /** Prefix of every key; default `greenlake`. */
  keyPrefix?: string;
}

export interface SharedStateStats {
  /** Times the store became unreachable (each logged with one warning). */
  readonly outages: number;
  /** Times it came back and sharing resumed. */
  readonly resumptions: number;
  /** Budget reservations the store answered, and those paced locally instead. */
  readonly sharedReservations: number;
  readonly localReservations: number;
}

// Next start of a budget (microseconds): a single time per budget, pushed forward one interval per
// reservation. Redis's clock serves every process, so their clocks need not agree. Also counts the processes sharing.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nextStart = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, nextStart)
local interval = tonumber(ARGV[1])
local ttl = math.max(1, math.ceil((start + interval - now) / 1000) + tonumber(ARGV[2]))
redis.call('SET', KEYS[1], string.format('%d', start + interval), 'PX', ttl)
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 10000000)
redis.call('PEXPIRE', KEYS[2], 60000)
return {start - now, redis.call('ZCARD', KEYS[2])}
`;

// A 429's requested wait (ms): no process starts before it is over.
const BLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untilTime = now + tonumber(ARGV[1]) * 1000
local nextStart = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilTime > nextStart then
  redis.call('SET', KEYS[1], string.format('%d', untilTime), 'PX', tonumber(ARGV[1]) + tonumber(ARGV[2]))
end
return 1
`;

const SET_NX_PX = `return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])`;
const SET_PX = `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`;
const DEL_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const COMMAND_TIMEOUT_MS = 1000;
// A process's first connection may start while the machine is busy starting its siblings:
// give it longer than a command, once, so a fleet does not begin with every process alone.
const FIRST_CONNECT_MS = 5000;
const RECONNECT_EVERY_MS = 500;
const TOKEN_LOCK_MS = 30_000;
const TOKEN_POLL_MS = 25;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : "unknown error";
}

/** Owns the Redis connection when given a URL; otherwise uses the caller's client as is. */
class RedisHandle {
  #client: RedisClientLike | undefined;
  #loading: Promise<RedisClientLike | undefined> | undefined;
  #lastConnectAttempt = 0;
  #pending = 0;

  constructor(
    private readonly source: string | RedisClientLike,
    private readonly log: Log,
  ) {
    if (typeof source !== "string") this.#client = source;
  }

  get owned(): boolean {
    return typeof this.source === "string";
  }

  async client(): Promise<RedisClientLike | undefined> {
    if (this.#client !== undefined) {
      if (this.owned) this.#reconnectIfClosed();
      return this.#client;
    }
    this.#loading ??= this.#open();
    return this.#loading;
  }

  async #open(): Promise<RedisClientLike | undefined> {
    let Redis: typeof import("ioredis").default;
    try {
      const mod = (await import("ioredis")) as unknown as { default?: unknown; Redis?: unknown };
      Redis = (mod.Redis ?? mod.default) as typeof Redis;
    } catch {
      throw configurationError("sharedState.redis needs the ioredis package: npm install ioredis");
    }
    // Fail fast instead of queueing: a call waits on the store no longer than a command's timeout, and reconnects are ours.
    const client = new Redis(this.source as string, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: FIRST_CONNECT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: () => null,
    });
    client.on("error", () => {
      // Reported once per outage by SharedState; ioredis would otherwise throw it as an unhandled event.
    });
    // An idle connection must not keep the user's process alive.
    client.on("connect", () => this.#unrefWhenIdle(client));
    this.#client = client as unknown as RedisClientLike;
    this.#lastConnectAttempt = Date.now();
    await withTimeout(client.connect(), FIRST_CONNECT_MS).catch(() => undefined);
    return this.#client;
  }

  #unrefWhenIdle(client: unknown): void {
    const stream = (client as { stream?: { ref?(): void; unref?(): void } }).stream;
    if (this.#pending === 0) stream?.unref?.();
    else stream?.ref?.();
  }

  #reconnectIfClosed(): void {
    const client = this.#client as unknown as { status?: string; connect?(): Promise<void> };
    if (client.status !== "end" && client.status !== "close") return;
    const now = Date.now();
    if (now - this.#lastConnectAttempt < RECONNECT_EVERY_MS) return;
    this.#lastConnectAttempt = now;
    client.connect?.().catch(() => undefined);
  }

  ready(client: RedisClientLike): boolean {
    return !this.owned || client.status === "ready";
  }

  /** Runs a command with the connection held open for it. */
  async run<T>(client: RedisClientLike, command: () => Promise<T>): Promise<T> {
    this.#pending++;
    if (this.owned) this.#unrefWhenIdle(client);
    try {
      return await withTimeout(command(), COMMAND_TIMEOUT_MS);
    } finally {
      this.#pending--;
      if (this.owned) this.#unrefWhenIdle(client);
    }
  }
}

/** The shared store of one Redis (per process): budgets for pacing, tokens for auth. */
export class SharedState implements SharedBudgets {
  readonly #redis: RedisHandle;
  readonly #prefix: string;
  readonly #log: Log;
  readonly #member = randomUUID();
  #available = true;
  #peers = 1;
  #stats = { outages: 0, resumptions: 0, sharedReservations: 0, localReservations: 0 };

  constructor(options: SharedStateOptions, log: Log) {
    this.#redis = new RedisHandle(options.redis, log);
    this.#prefix = options.keyPrefix ?? "greenlake";
    this.#log = log;
  }

  get peers(): number {
    return this.#peers;
  }

  get stats(): SharedStateStats {
    return { ...this.#stats };
  }

  #down(reason: string): void {
    if (!this.#available) return;
    this.#available = false;
    this.#stats.outages++;
    this.#log.warn(
      `Shared state on Redis is unreachable (${reason}); this process now paces on its share (1/${this.#peers}) of each limit and fetches its own token until Redis is back.`,
    );
  }

  #up(): void {
    if (this.#available) return;
    this.#available = true;
    this.#stats.resumptions++;
    this.#log.info("Shared state on Redis is reachable again; budgets and the token are shared again.");
  }

  /** Runs a command; `undefined` (after marking the store away) when Redis cannot answer. */
  async #command<T>(command: (client: RedisClientLike) => Promise<T>): Promise<T | undefined> {
    let client: RedisClientLike | undefined;
    try {
      client = await this.#redis.client();
    } catch (error) {
      if (error instanceof GreenLakeConfigurationError) throw error;
      this.#down(describe(error));
      return undefined;
    }
    if (client === undefined || !this.#redis.ready(client)) {
      this.#down("not connected");
      return undefined;
    }
    try {
      const value = await this.#redis.run(client, () => command(client));
      this.#up();
      return value;
    } catch (error) {
      this.#down(describe(error));
      return undefined;
    }
  }

  #key(kind: string, id: string): string {
    return `${this.#prefix}:${kind}:${id}`;
  }

  async reserve(key: string, intervalMs: number, windowMs: number): Promise<number | undefined> {
    const reply = await this.#command(
      (c) => c.eval(RESERVE, 2, this.#key("pace", key), this.#key("members", "all"), Math.ceil(intervalMs * 1000), Math.ceil(windowMs), this.#member) as Promise<[number, number]>,
    );
    if (reply === undefined) {
      this.#stats.localReservations++;
      return undefined;
    }
    this.#stats.sharedReservations++;
    const peers = Number(reply[1]);
    if (Number.isFinite(peers) && peers >= 1) this.#peers = peers;
    return Math.max(0, Number(reply[0]) / 1000);
  }

  block(key: string, delayMs: number, windowMs: number): void {
    void this.#command((c) => c.eval(BLOCK, 1, this.#key("pace", key), Math.ceil(delayMs), Math.ceil(windowMs)));
  }

  /**
   * Wraps a client-credentials token request so the processes of one API
   * client share the token: the first fetches it (under a lock) and stores it
   * encrypted; the others read it. A token this process already handed out
   * and is asked to replace (refresh, or a 401) is never served again.
   */
  tokenIssuer(credentials: Extract<Credentials, { kind: "client-credentials" }>, issue: () => Promise<IssuedToken>): () => Promise<IssuedToken> {
    let handedOut: string | undefined;
    return async () => {
      const id = await resolveProvider(credentials.clientId);
      const secret = await revealSecret(credentials.clientSecret);
      const workspace = credentials.workspaceId === undefined ? "" : await resolveProvider(credentials.workspaceId);
      if (typeof id !== "string" || typeof secret !== "string" || secret === "") return issue();
      // Identifies the cache entry without the secret; the encryption key comes from the secret.
      const scope = createHash("sha256").update(`${credentials.tokenUrl ?? ""}\n${id}\n${String(workspace).replaceAll("-", "").toLowerCase()}`).digest("base64url").slice(0, 32);
      const tokenKey = this.#key("token", scope);
      const lockKey = this.#key("token-lock", scope);
      const cipherKey = Buffer.from(hkdfSync("sha256", secret, scope, "greenlake-sdk shared token v1", 32));
      const deadline = Date.now() + TOKEN_LOCK_MS;
      // A command that fails once (a busy machine, a connection still opening) is asked again for a
      // short while before this process asks the issuer on its own.
      const storeGrace = Date.now() + FIRST_CONNECT_MS;
      const nonce = randomUUID();
      for (;;) {
        const stored = await this.#command((c) => c.get(tokenKey));
        if (stored === undefined) {
          if (Date.now() > storeGrace) return issue();
          await sleep(TOKEN_POLL_MS * 4);
          continue;
        }
        const cached = stored === null ? undefined : openToken(stored, cipherKey);
        if (cached !== undefined && cached.accessToken !== handedOut && usable(cached)) {
          handedOut = cached.accessToken;
          return { accessToken: cached.accessToken, expiresIn: Math.max(1, Math.floor((cached.expiresAt - Date.now()) / 1000)) };
        }
        const locked = await this.#command((c) => c.eval(SET_NX_PX, 1, lockKey, nonce, TOKEN_LOCK_MS));
        if (locked === undefined) {
          if (Date.now() > storeGrace) return issue();
          await sleep(TOKEN_POLL_MS * 4);
          continue;
        }
        if (locked === "OK") {
          try {
            // Another process may have stored a token between our read and our lock: use it rather than ask again.
            const again = await this.#command((c) => c.get(tokenKey));
            const fresh = typeof again === "string" ? openToken(again, cipherKey) : undefined;
            if (fresh !== undefined && fresh.accessToken !== handedOut && usable(fresh)) {
              handedOut = fresh.accessToken;
              return { accessToken: fresh.accessToken, expiresIn: Math.max(1, Math.floor((fresh.expiresAt - Date.now()) / 1000)) };
            }
            const started = Date.now();
            const issued = await issue();
            const lifetimeMs = issued.expiresIn * 1000;
            const entry = { accessToken: issued.accessToken, expiresAt: started + lifetimeMs, lifetimeMs };
            await this.#command((c) => c.eval(SET_PX, 1, tokenKey, sealToken(entry, cipherKey), Math.max(1, lifetimeMs)));
            handedOut = issued.accessToken;
            return issued;
          } finally {
            void this.#command((c) => c.eval(DEL_IF, 1, lockKey, nonce));
          }
        }
        // Another process is fetching: wait for its token rather than asking the issuer too.
        if (Date.now() > deadline) return issue();
        await sleep(TOKEN_POLL_MS);
      }
    };
  }
}

interface StoredToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly lifetimeMs: number;
}

/** Fresh enough to hand out: before the refresh margin auth.ts uses (a fifth of the lifetime, 10 s to 5 min). */
function usable(token: StoredToken): boolean {
  const margin = Math.min(300_000, Math.max(10_000, token.lifetimeMs / 5));
  return Date.now() < token.expiresAt - margin;
}

/** AES-256-GCM: a reader of the keyspace without the client secret learns nothing usable. */
export function sealToken(token: StoredToken, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(token), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

/** The stored token, or `undefined` when it was sealed with another secret or tampered with. */
export function openToken(sealed: string, key: Buffer): StoredToken | undefined {
  try {
    const raw = Buffer.from(sealed, "base64");
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const parsed = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as StoredToken;
    if (typeof parsed.accessToken !== "string" || typeof parsed.expiresAt !== "number" || typeof parsed.lifetimeMs !== "number") return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

// One store (one connection, one warning per outage) per Redis URL or client in a process.
const byUrl = new Map<string, SharedState>();
const byClient = new WeakMap<object, SharedState>();

/** The process's shared state for these options; `undefined` (nothing loaded) when not configured. */
export function sharedStateFor(options: SharedStateOptions | undefined, log: Log): SharedState | undefined {
  if (options === undefined) return undefined;
  const redis = (options as { redis?: unknown } | null)?.redis;
  if (typeof redis === "string") {
    if (!/^rediss?:\/\//.test(redis)) throw configurationError('sharedState.redis must be a redis:// or rediss:// URL, or an ioredis client.');
    const key = `${redis}\n${options.keyPrefix ?? ""}`;
    let state = byUrl.get(key);
    if (state === undefined) {
      state = new SharedState(options, log);
      byUrl.set(key, state);
    }
    return state;
  }
  if (redis === null || typeof redis !== "object" || typeof (redis as RedisClientLike).eval !== "function") {
    throw configurationError("sharedState.redis must be a redis:// URL or an ioredis client (an object with eval and get).");
  }
  let state = byClient.get(redis);
  if (state === undefined) {
    state = new SharedState(options, log);
    byClient.set(redis, state);
  }
  return state;
}

/**
 * A lock file between glp processes of one user (the token cache's), that a
 * dead owner cannot keep: the file records the owner's pid, host and start
 * time; it is created whole (written aside, then hard-linked into place), so
 * it is never seen half written. A waiter keeps waiting while the owner runs,
 * and takes over at once from an owner that is gone. Takeover is itself
 * exclusive (one claim file per lock it replaces), so two waiters never both
 * remove a lock, and never one that was just taken. The owner removes its lock
 * when done, when interrupted, and when the process exits.
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readFileSync, unlinkSync } from "node:fs";
import { link, lstat, open, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { configurationError } from "../errors.js";

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Epoch ms when the lock was taken. */
  readonly since: number;
  /** Unique per lock taken. */
  readonly id: string;
}

/** Beyond this a lock is stale even if a process with its pid runs (the pid may have been reused): an owner is done long before. */
export const MAX_HOLD_MS = 10 * 60_000;
const POLL_MS = 50;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export interface LockEnvironment {
  readonly now: () => number;
  /** Whether the process that took a lock at `since` (epoch ms) still runs on this host: its pid runs, and was not reused since. */
  readonly alive: (pid: number, since?: number) => boolean;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly host: string;
  readonly pid: number;
}

/**
 * When a process started (epoch ms), from Linux's `/proc/<pid>/stat` (start time in clock
 * ticks since boot, field 22) and `/proc/stat` (`btime`, boot time in seconds); undefined
 * when they cannot be read or parsed. Clock ticks are 100 a second on Linux.
 */
export function startedAtFrom(pidStat: string, systemStat: string, ticksPerSecond = 100): number | undefined {
  // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
  const fields = pidStat.slice(pidStat.lastIndexOf(")") + 1).trim().split(/\s+/);
  const ticks = Number(fields[19]);
  const boot = Number(/^btime\s+(\d+)$/m.exec(systemStat)?.[1]);
  if (!Number.isSafeInteger(ticks) || ticks < 0 || !Number.isSafeInteger(boot) || boot <= 0) return undefined;
  return boot * 1000 + (ticks * 1000) / ticksPerSecond;
}

export function processStartedAt(pid: number): number | undefined {
  try {
    return startedAtFrom(readFileSync(`/proc/${pid}/stat`, "utf8"), readFileSync("/proc/stat", "utf8"));
  } catch {
    return undefined;
  }
}

// Boot time is whole seconds and ticks are coarse: a process is taken as younger than a lock only beyond this.
const START_SLACK_MS = 5_000;

function processAlive(pid: number, since?: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // A process that started after the lock was taken only reuses the owner's pid (after a crash, a reboot).
  const started = since === undefined ? undefined : processStartedAt(pid);
  return started === undefined || started <= since! + START_SLACK_MS;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export const systemLockEnvironment: LockEnvironment = { now: Date.now, alive: processAlive, sleep: abortableSleep, host: hostname(), pid: process.pid };

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(o.pid) && o.pid! > 0 && typeof o.host === "string" && Number.isFinite(o.since) && typeof o.id === "string" && /^[0-9a-f]{16,64}$/.test(o.id)) return o as LockOwner;
  } catch {
    // Not a lock glp wrote.
  }
  return undefined;
}

type Seen = { kind: "missing" } | { kind: "owner"; owner: LockOwner } | { kind: "unknown"; key: string; ageMs: number };

async function look(path: string, env: LockEnvironment): Promise<Seen> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw configurationError(`${path} is not a lock glp made (${(error as NodeJS.ErrnoException).code}); remove it (rm ${path}) if you did not put it there`);
  }
  try {
    const info = await handle.stat();
    const owner = info.isFile() && info.size < 4096 ? parseOwner(await handle.readFile("utf8")) : undefined;
    return owner ? { kind: "owner", owner } : { kind: "unknown", key: `${info.ino}-${info.mtimeMs}`, ageMs: env.now() - info.mtimeMs };
  } finally {
    await handle.close();
  }
}

function stale(owner: LockOwner, env: LockEnvironment): boolean {
  const age = env.now() - owner.since;
  if (age > MAX_HOLD_MS || age < -MAX_HOLD_MS) return true;
  // On another host (a shared home folder) only the age can tell.
  return owner.host === env.host && owner.pid !== env.pid && !env.alive(owner.pid, owner.since);
}

/** Creates `path` holding `owner`, whole, unless it exists. */
async function createWhole(path: string, owner: LockOwner): Promise<boolean> {
  const aside = `${path}.${owner.id}.new`;
  const handle = await open(aside, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    await handle.writeFile(JSON.stringify(owner));
  } finally {
    await handle.close();
  }
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(aside, { force: true });
  }
}

function keyOf(seen: Seen): string | undefined {
  return seen.kind === "owner" ? seen.owner.id : seen.kind === "unknown" ? seen.key : undefined;
}

/** Removes the lock last seen as `seen`, only if it is still that one and no other waiter is removing it. */
async function takeOver(path: string, seen: Seen, env: LockEnvironment, me: () => LockOwner): Promise<void> {
  const key = keyOf(seen)!;
  const claim = `${path}.takeover-${key.replace(/[^0-9a-zA-Z.-]/g, "_")}`;
  if (!(await createWhole(claim, me()))) {
    // Another waiter is taking it over; a claimant that died meanwhile must not block it for good.
    const other = await look(claim, env);
    if (other.kind === "owner" && stale(other.owner, env)) await rm(claim, { force: true });
    return;
  }
  try {
    if (keyOf(await look(path, env)) === key) await rm(path, { force: true });
  } finally {
    await rm(claim, { force: true });
  }
}

export interface HeldLock {
  readonly owner: LockOwner;
  /** Removes the lock if it is still this one. */
  release(): Promise<void>;
}

function releaseSync(path: string, id: string): void {
  try {
    const fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
    try {
      if (!fstatSync(fd).isFile() || parseOwner(readFileSync(fd, "utf8"))?.id !== id) return;
    } finally {
      closeSync(fd);
    }
    unlinkSync(path);
  } catch {
    // Gone already.
  }
}

/**
 * Takes the lock at `path`, or returns what `ready()` finds while waiting for
 * it (the value the owner was making). Waits while the owner runs, however long;
 * a lock whose owner is gone is taken over at once.
 */
export async function lockOrValue<T>(
  path: string,
  ready: () => Promise<T | undefined>,
  options: { signal?: AbortSignal | undefined; env?: LockEnvironment; onWait?: (owner: LockOwner | undefined) => void; onTakeOver?: (seen: Seen) => void } = {},
): Promise<{ lock: HeldLock } | { value: T }> {
  const env = options.env ?? systemLockEnvironment;
  const me = (): LockOwner => ({ pid: env.pid, host: env.host, since: env.now(), id: randomBytes(12).toString("hex") });
  let waited = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const seen = await look(path, env);
    if (seen.kind === "missing") {
      const owner = me();
      if (await createWhole(path, owner)) return { lock: hold(path, owner) };
      continue;
    }
    // A lock glp did not write whole (an older glp's empty one) is stale once it is a second old.
    if (seen.kind === "owner" ? stale(seen.owner, env) : seen.ageMs > 1000) {
      options.onTakeOver?.(seen);
      await takeOver(path, seen, env, me);
      continue;
    }
    const value = await ready();
    if (value !== undefined) return { value };
    if (!waited) options.onWait?.(seen.kind === "owner" ? seen.owner : undefined);
    waited = true;
    await env.sleep(POLL_MS, options.signal);
  }
}

function hold(path: string, owner: LockOwner): HeldLock {
  // A process.exit() (a second Ctrl-C) still removes the lock.
  const onExit = () => releaseSync(path, owner.id);
  process.once("exit", onExit);
  return {
    owner,
    async release() {
      process.removeListener("exit", onExit);
      releaseSync(path, owner.id);
    },
  };
}

export type { Seen as SeenLock };

/** For tests and diagnostics: whether `path` exists (without following a link). */
export async function lockExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

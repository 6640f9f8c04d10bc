/**
 * The token cache's lock file (property-based, counting events): whatever
 * mix of contenders release their lock or die holding it, at most one holds
 * it at a time, every live contender gets it, a live owner's lock is never
 * taken over however long it is held, and a dead owner's lock is taken over
 * without a single wait.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { lockOrValue, MAX_HOLD_MS, type LockEnvironment } from "../../src/cli/file-lock.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function lockPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "glp-lock-unit-"));
  dirs.push(dir);
  return join(dir, "token.json.lock");
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("glp's lock file (property-based)", () => {
  it("one holder at a time; live owners are waited for, dead ones taken over", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ dies: fc.boolean(), holdTicks: fc.integer({ min: 0, max: 20 }), startTicks: fc.integer({ min: 0, max: 5 }) }), { minLength: 2, maxLength: 6 }),
        async (plans) => {
          const path = lockPath();
          const dead = new Set<number>();
          let holders = 0;
          let maxHolders = 0;
          const badTakeovers: number[] = [];
          const acquired: number[] = [];
          const acquiredOrder: number[] = [];
          await Promise.all(
            plans.map(async (plan, i) => {
              const pid = 10_000 + i;
              const env: LockEnvironment = { now: Date.now, alive: (p) => !dead.has(p), sleep: () => tick(), host: "test-host", pid };
              for (let t = 0; t < plan.startTicks; t++) await tick();
              const got = await lockOrValue(path, async () => undefined, {
                env,
                onTakeOver: (seen) => {
                  if (seen.kind !== "owner" || !dead.has(seen.owner.pid)) badTakeovers.push(pid);
                },
              });
              if (!("lock" in got)) throw new Error("no value was offered");
              acquired.push(pid);
              acquiredOrder.push(pid);
              maxHolders = Math.max(maxHolders, ++holders);
              for (let t = 0; t < plan.holdTicks; t++) await tick();
              holders--;
              if (plan.dies) dead.add(pid);
              else await got.lock.release();
            }),
          );
          expect(maxHolders).toBe(1);
          expect([...acquired].sort()).toEqual(plans.map((_, i) => 10_000 + i));
          expect(badTakeovers).toEqual([]);
          // Only a lock whose owner died is left behind, and no claim or half-made file.
          const left = readdirSync(join(path, ".."));
          const lastDied = plans[acquiredOrder.at(-1)! - 10_000]!.dies;
          expect(left).toEqual(lastDied ? ["token.json.lock"] : []);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("a lock whose owner is gone is taken over without waiting; one whose owner runs is waited for", async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: 424242, host: "test-host", since: Date.now(), id: "00112233445566778899aabb" }));
    let sleeps = 0;
    const env = (alive: boolean): LockEnvironment => ({ now: Date.now, alive: () => alive, sleep: async () => void sleeps++, host: "test-host", pid: 1 });
    const got = await lockOrValue(path, async () => undefined, { env: env(false) });
    expect("lock" in got).toBe(true);
    expect(sleeps).toBe(0);
    // Held by a live process: wait (here 25 polls) until the value it makes appears, never taking the lock.
    let polls = 0;
    const value = await lockOrValue(path, async () => (++polls > 25 ? "token" : undefined), { env: env(true) });
    expect(value).toEqual({ value: "token" });
    expect(sleeps).toBe(25);
  });

  it("a live owner is waited for however long it holds the lock, up to the age that makes any lock stale", async () => {
    const path = lockPath();
    const since = Date.UTC(2026, 0, 1);
    writeFileSync(path, JSON.stringify({ pid: 424242, host: "test-host", since, id: "00112233445566778899aabb" }));
    // The lock's clock moves 30 s with every poll: the owner's token request takes 9.5 minutes.
    let now = since;
    let sleeps = 0;
    const takeovers: unknown[] = [];
    const waits: unknown[] = [];
    const env: LockEnvironment = { now: () => now, alive: () => true, sleep: async () => void (sleeps++, (now += 30_000)), host: "test-host", pid: 1 };
    const done = () => now - since >= MAX_HOLD_MS - 30_000;
    const value = await lockOrValue(path, async () => (done() ? "token" : undefined), { env, onTakeOver: (seen) => takeovers.push(seen), onWait: (owner) => waits.push(owner?.pid) });
    expect(value).toEqual({ value: "token" });
    expect(sleeps).toBe(MAX_HOLD_MS / 30_000 - 1);
    expect(takeovers).toEqual([]);
    expect(waits).toEqual([424242]);
  });

  it("a lock older than any owner's run is stale even if its pid runs again (pid reuse)", async () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: 424242, host: "test-host", since: Date.now() - 11 * 60_000, id: "00112233445566778899aabb" }));
    let sleeps = 0;
    const got = await lockOrValue(path, async () => undefined, { env: { now: Date.now, alive: () => true, sleep: async () => void sleeps++, host: "test-host", pid: 1 } });
    expect("lock" in got).toBe(true);
    expect(sleeps).toBe(0);
  });
});

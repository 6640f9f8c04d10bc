/**
 * A lock whose owner's pid now belongs to another process (after a crash or a
 * reboot, pids are handed out again) is stale: the process running under that
 * pid started after the lock was taken, so it cannot be its owner. Without
 * this, glp waited up to MAX_HOLD_MS behind a lock nobody holds.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lockOrValue, processStartedAt, startedAtFrom, systemLockEnvironment } from "../../src/cli/file-lock.js";

const systemStat = (btime: number) => `cpu  1 2 3 4\nintr 5\nctxt 6\nbtime ${btime}\nprocesses 7\n`;
const pidStat = (pid: number, comm: string, startTicks: number) =>
  `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 ${startTicks} 1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0`;

describe("the token lock and reused pids", () => {
  it("property: a process's start time is read from /proc whatever its command name holds (spaces, parentheses)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4_194_304 }), fc.string({ unit: fc.constantFrom("a", " ", "(", ")", "x", "1", ":") }), fc.nat({ max: 1e10 }), fc.integer({ min: 1, max: 2e9 }), (pid, comm, ticks, btime) => {
        expect(startedAtFrom(pidStat(pid, comm, ticks), systemStat(btime))).toBe(btime * 1000 + ticks * 10);
      }),
      { numRuns: 300 },
    );
  });

  it("property: unreadable /proc text gives no start time rather than a wrong one", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const started = startedAtFrom(a, b);
        expect(started === undefined || Number.isFinite(started)).toBe(true);
      }),
    );
  });

  it("the pid of a process that started after the lock was taken is not the lock's owner", () => {
    const started = processStartedAt(process.pid);
    // Where /proc is not there (not Linux), only the pid and the lock's age can tell.
    if (started === undefined) {
      expect(existsSync("/proc/self/stat")).toBe(false);
      return;
    }
    expect(systemLockEnvironment.alive(process.pid, started - 60_000)).toBe(false);
    expect(systemLockEnvironment.alive(process.pid, started + 1_000)).toBe(true);
    expect(systemLockEnvironment.alive(process.pid)).toBe(true);
  });

  it("a lock left by a crashed glp whose pid now runs something newer is taken over without waiting", async () => {
    const started = processStartedAt(process.ppid);
    if (started === undefined) {
      expect(existsSync("/proc/self/stat")).toBe(false);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "glp-lock-"));
    const path = join(dir, "token.lock");
    // The parent of this process runs; the lock says it was taken a minute before the parent started.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: systemLockEnvironment.host, since: started - 60_000, id: "0123456789abcdef0123" }), { mode: 0o600 });
    let waits = 0;
    const env = { ...systemLockEnvironment, now: () => started, sleep: async () => void waits++ };
    const got = await lockOrValue(path, async () => (waits >= 3 ? "gave up" : undefined), { env });
    expect("lock" in got).toBe(true);
    expect(waits).toBe(0);
    if ("lock" in got) await got.lock.release();
  });
});

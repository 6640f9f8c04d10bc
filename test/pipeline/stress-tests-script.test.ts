/**
 * scripts/stress-tests.sh (run by CI) leaves no CPU-bound process behind: stopped on its own (SIGTERM,
 * as a CI runner sends it) it ends at once, not after the test run it started, and stops that run and
 * its CPU hogs; killed outright (SIGKILL, no trap runs) its hogs end by themselves. The script runs
 * from a copy beside a stand-in test run that waits until it is stopped, so nothing real is started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const LIMIT_MS = 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An exited process its new parent has not reaped yet is gone too.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + LIMIT_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const started: number[] = [];
let dir = "";

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

/** Starts the script from a copy whose `npm` does nothing and whose test run writes its pid and waits. */
function startScript(): { script: ChildProcess; output: () => string; testRunPid: () => number | undefined } {
  dir = mkdtempSync(join(tmpdir(), "stress-script-"));
  mkdirSync(join(dir, "scripts"));
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "node_modules/.bin"), { recursive: true });
  copyFileSync("scripts/stress-tests.sh", join(dir, "scripts/stress-tests.sh"));
  const testRun = `#!/usr/bin/env bash\necho $$ > "${dir}/test-run.pid"\nexec sleep 1000\n`;
  for (const [path, text] of [
    ["bin/npm", "#!/usr/bin/env bash\nexit 0\n"],
    ["bin/npx", testRun],
    ["node_modules/.bin/vitest", testRun],
  ] as const) {
    writeFileSync(join(dir, path), text);
    chmodSync(join(dir, path), 0o755);
  }
  const script = spawn("bash", [join(dir, "scripts/stress-tests.sh")], {
    env: { ...process.env, RUNS: "1", HOGS: "1", PATH: `${join(dir, "bin")}:${process.env.PATH}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(script.pid!);
  let out = "";
  script.stdout!.on("data", (chunk) => (out += chunk));
  script.stderr!.on("data", (chunk) => (out += chunk));
  const testRunPid = () => {
    const file = join(dir, "test-run.pid");
    const text = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    return text === "" ? undefined : Number(text);
  };
  return { script, output: () => out, testRunPid };
}

async function hogsOf(output: () => string): Promise<number[]> {
  const pids = await until("the script names its CPU hogs", () => /\(pids ([\d ]+)\)/.exec(output())?.[1]);
  const hogs = pids.trim().split(" ").map(Number);
  started.push(...hogs);
  return hogs;
}

describe("scripts/stress-tests.sh", () => {
  it("stopped with SIGTERM during the test run, it ends at once and stops that run and its CPU hogs", async () => {
    const { script, output, testRunPid } = startScript();
    const exited = new Promise<number | null>((resolve) => script.on("exit", (code) => resolve(code)));
    const hogs = await hogsOf(output);
    const testRun = await until("the test run starts", testRunPid);
    started.push(testRun);
    script.kill("SIGTERM");
    const code = await Promise.race([exited, until("the script ends", () => (script.exitCode !== null || script.signalCode !== null ? null : undefined))]);
    expect(code).not.toBe(0);
    await until("the CPU hogs and the test run end", () => ([...hogs, testRun].some(alive) ? undefined : true));
  }, 2 * LIMIT_MS + 10_000);

  it("killed outright during the test run, its CPU hogs end by themselves", async () => {
    const { script, output, testRunPid } = startScript();
    const hogs = await hogsOf(output);
    started.push(await until("the test run starts", testRunPid));
    script.kill("SIGKILL");
    await until("the CPU hogs end", () => (hogs.some(alive) ? undefined : true));
  }, 2 * LIMIT_MS + 10_000);
});

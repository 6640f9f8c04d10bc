/**
 * `npm run demo` (its `tsx examples/demo.ts` part): the tour runs to the end
 * and exits 0, and Ctrl-C mid-tour leaves no mock server or other child process behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { descendantsOf, survivors, waitUntil, type ProcessInfo } from "./processes.js";

const root = resolve(import.meta.dirname, "../..");
const tsx = resolve(root, "node_modules/.bin/tsx");

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `tsx examples/demo.ts`, as `npm run demo` starts it; or, with `direct`, the demo's own node process
 * (`node --import tsx`), so a signal sent to the pid reaches the demo itself: tsx's command relays one to its
 * child but kills the child if it has not acknowledged within 30 ms, which a busy machine often misses.
 */
function startDemo(direct = false): Started {
  // Credentials in the environment must not matter: the demo always uses the mocks.
  const env = { ...process.env, GREENLAKE_CLIENT_ID: "", GREENLAKE_CLIENT_SECRET: "", GREENLAKE_WORKSPACE_ID: "" };
  const [command, args] = direct ? [process.execPath, ["--import", "tsx", "examples/demo.ts"]] : [tsx, ["examples/demo.ts"]];
  // Its own process group, as a terminal gives a foreground job.
  const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  // "close", not "exit": only then has everything the demo wrote been read from its pipes.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on("close", (code, signal) => done({ code, signal })),
  );
  return { child, output: () => text, exited };
}

/** Leaves nothing running if an assertion fails half way. */
function killGroup(pgid: number | undefined): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}

async function interruptMidTour(deliver: (pid: number) => void, direct = false): Promise<{ before: ProcessInfo[]; after: ProcessInfo[]; code: number | null; output: string }> {
  const demo = startDemo(direct);
  const pid = demo.child.pid!;
  try {
    // Mid-way: the mocks are up and the tour has made its first calls.
    // A limit for a hang: three demos start side by side, on a machine that may be ten times slower.
    const midway = await waitUntil(() => /\n2\. /.test(demo.output()), 240_000);
    expect(midway, `the demo never reached its second step:\n${demo.output()}`).toBe(true);
    const before = descendantsOf(pid);
    deliver(pid);
    const { code } = await Promise.race([
      demo.exited,
      new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`the demo did not exit after the interrupt:\n${demo.output()}`)), 60_000)),
    ]);
    // Children are reaped asynchronously; allow them a moment to go.
    await waitUntil(() => survivors(before.map((p) => p.pid), pid).length === 0, 30_000);
    return { before, after: survivors(before.map((p) => p.pid), pid), code, output: demo.output() };
  } finally {
    killGroup(pid);
  }
}

// Each case runs its own demo, in its own process group with its own mocks on free ports, so they run side by side.
describe.concurrent("demo", () => {
  it("tours every scenario, stops the mocks and exits 0", async () => {
    const demo = startDemo();
    const pid = demo.child.pid!;
    try {
      const seen: number[] = [];
      // Watch the process tree while it runs, to check afterwards that all of it is gone.
      const watch = setInterval(() => seen.push(...descendantsOf(pid).map((p) => p.pid)), 200);
      const { code } = await demo.exited;
      clearInterval(watch);
      const output = demo.output();
      expect(code, output).toBe(0);
      const steps = output.match(/^\d+\. .+$/gm) ?? [];
      expect(steps.map((s) => s.slice(0, s.indexOf(":")))).toEqual([
        "1. Private Cloud Business Edition",
        "2. Users",
        "3. Credentials",
        "4. Authorization",
        "5. Compute Ops Management",
        "6. Compute Ops Management",
        "7. Compute Ops Management",
        "8. Compute Ops Management",
        "9. Async work",
        "10. Devices",
        "11. MSP",
        "12. Rate limits",
        "13. Errors",
      ]);
      // The stateful flows, told with realistic values and without placeholders.
      expect(output).not.toMatch(/\bstring\b/);
      expect(output).toMatch(/page 3: \d+ servers \(running count \d+ of \d+\)/);
      expect(output).toMatch(/added scopes in one batch: 2 added, 0 rejected/);
      expect(output).toMatch(/reset the secret of .*: generation 2/);
      expect(output).toMatch(/async operation .* ended SUCCEEDED/);
      expect(output).toMatch(/job .* ended COMPLETE/);
      expect(output).toMatch(/applied subscription /);
      expect(output).toMatch(/the mocks answered 429, then 200/);
      expect(output).toMatch(/\nDone in \d+\.\d s\.\n/);
      expect(output).not.toMatch(/Failed:/);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      await waitUntil(() => survivors([...new Set(seen)], pid).length === 0, 30_000);
      expect(survivors([...new Set(seen)], pid).map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    } finally {
      killGroup(pid);
    }
  });

  it("stops every process it started when Ctrl-C interrupts its process group", async () => {
    const { before, after, code, output } = await interruptMidTour((pid) => process.kill(-pid, "SIGINT"));
    // The demo's node process and the mock server host were running when the interrupt came.
    expect(before.length, `too few child processes seen:\n${output}`).toBeGreaterThanOrEqual(2);
    expect(after.map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    expect(output).not.toMatch(/Done in/);
    expect(code).not.toBe(0);
  });

  it("stops every process it started when only the demo itself is interrupted", async () => {
    const { before, after, output } = await interruptMidTour((pid) => process.kill(pid, "SIGINT"), true);
    // The mock server host was running when the interrupt came (the demo's node process is the pid itself here).
    expect(before.length, `too few child processes seen:\n${output}`).toBeGreaterThanOrEqual(1);
    expect(after.map((p) => `${p.pid} ${p.command}`)).toEqual([]);
    expect(output).toMatch(/Stopped by SIGINT/);
    expect(output).not.toMatch(/Done in/);
  });
});

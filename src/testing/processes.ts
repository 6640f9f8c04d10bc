/**
 * Child processes the mocks start, killed when the mocks stop and also when
 * the process exits or is interrupted, so Ctrl-C leaves nothing behind.
 */
import type { ChildProcess } from "node:child_process";

const children = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  children.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.off("SIGHUP", onSignal);
  process.off("exit", killAll);
  hooked = false;
  // Without other listeners, re-raising gives the default exit the signal would have had.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
}

/** Tracks a child until it exits. */
export function track(child: ChildProcess): void {
  hookExit();
  children.add(child);
  child.once("exit", () => children.delete(child));
}

/** Stops a child and waits for it to be gone. */
export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
  await gone;
  clearTimeout(timer);
  children.delete(child);
}

/** Number of live children, for tests of the cleanup. */
export function liveChildCount(): number {
  return children.size;
}

/**
 * Process-tree inspection from /proc (Linux), to check that nothing a
 * command started outlives it.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly state: string;
  readonly command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command sits in parentheses and may contain spaces; fields follow the last ")".
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return {
      pid,
      state: fields[0] ?? "?",
      ppid: Number(fields[1]),
      pgid: Number(fields[2]),
      command: cmdline || stat.slice(stat.indexOf("(") + 1, close),
    };
  } catch {
    return undefined;
  }
}

export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProcess(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** Every process below `root`, at this instant. */
export function descendantsOf(root: number): ProcessInfo[] {
  const all = listProcesses();
  const found: ProcessInfo[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const p of all) {
      if (p.ppid === parent) {
        found.push(p);
        frontier.push(p.pid);
      }
    }
  }
  return found;
}

/** Running (not zombie) processes among `pids`, or in process group `pgid`. */
export function survivors(pids: readonly number[], pgid?: number): ProcessInfo[] {
  const all = listProcesses().filter((p) => p.state !== "Z");
  return all.filter((p) => pids.includes(p.pid) || (pgid !== undefined && p.pgid === pgid));
}

export async function waitUntil(check: () => boolean, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return check();
}

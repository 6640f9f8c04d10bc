/**
 * Process-tree inspection from /proc (Linux), to check that nothing a
 * command started outlives it. A tree is walked down from its root through
 * each thread's `children` file, so watching one while it runs reads a few
 * files, not every process of the machine.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly state: string;
  readonly command: string;
}

interface Stat {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly state: string;
  readonly name: string;
}

function readStat(pid: number): Stat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command sits in parentheses and may contain spaces; fields follow the last ")".
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    return { pid, state: fields[0] ?? "?", ppid: Number(fields[1]), pgid: Number(fields[2]), name: stat.slice(stat.indexOf("(") + 1, close) };
  } catch {
    return undefined;
  }
}

function withCommand(stat: Stat | undefined): ProcessInfo | undefined {
  if (stat === undefined) return undefined;
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${stat.pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    // Gone meanwhile: its name from stat will do.
  }
  return { pid: stat.pid, ppid: stat.ppid, pgid: stat.pgid, state: stat.state, command: cmdline || stat.name };
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

export function listProcesses(): ProcessInfo[] {
  return allPids()
    .map((pid) => withCommand(readStat(pid)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

// Kernels built without CONFIG_PROC_CHILDREN lack the children files: then the whole table is scanned.
const childrenFiles = existsSync(`/proc/self/task/${process.pid}/children`);

/** Direct children of `pid`, from the children file of each of its threads (any thread may have started one). */
function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ")) if (child.trim() !== "") children.push(Number(child));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return children;
}

/** Every process below `root`, at this instant. */
export function descendantsOf(root: number): ProcessInfo[] {
  if (!childrenFiles) {
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
  const found: ProcessInfo[] = [];
  const seen = new Set([root]);
  const frontier = [root];
  while (frontier.length > 0) {
    for (const pid of childrenOf(frontier.pop()!)) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      const info = withCommand(readStat(pid));
      if (info === undefined) continue;
      found.push(info);
      frontier.push(pid);
    }
  }
  return found;
}

/** Running (not zombie) processes among `pids`, or in process group `pgid`. */
export function survivors(pids: readonly number[], pgid?: number): ProcessInfo[] {
  const candidates = pgid === undefined ? [...new Set(pids)] : allPids();
  return candidates
    .map(readStat)
    .filter((p): p is Stat => p !== undefined && p.state !== "Z" && (pids.includes(p.pid) || (pgid !== undefined && p.pgid === pgid)))
    .map((p) => withCommand(p))
    .filter((p): p is ProcessInfo => p !== undefined);
}

export async function waitUntil(check: () => boolean, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return check();
}

/** Fresh `node` processes running module files written under .tmp/ (inside the package, so `greenlake-sdk` resolves to dist/). */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../scripts/package-layout.js";

const run = promisify(execFile);
export const scratchDir = join(repoRoot, ".tmp/bench");

/** Writes an ES module file (in `dir`, by default the scratch folder) and returns its path. */
export function moduleFile(name: string, source: string, dir = scratchDir): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

/** Runs `node file args`; resolves with its stdout and the wall time from spawn to exit (ms). */
export async function timedNode(file: string, args: readonly string[]): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, [file, ...args], { cwd: scratchDir, encoding: "utf8" });
  return { ms: performance.now() - started, stdout };
}

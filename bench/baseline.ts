/**
 * A baseline build measured beside the current one, in the same rounds:
 * `BENCH_BASELINE=path npm run bench -- imports cold-start`, where path is a
 * packed tarball (`npm pack`) or a package folder (package.json and dist/) of
 * an earlier build. It is installed under .tmp/bench/baseline/, where probe
 * modules import it as `greenlake-sdk`; its dependencies resolve to this
 * checkout's node_modules. That folder has a package.json of its own: inside
 * this checkout's package, `greenlake-sdk` would resolve to the package
 * itself (node resolves a package's own name before node_modules).
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { scratchDir } from "./processes.js";

export const baselineDir = join(scratchDir, "baseline");

let installed: string | null | undefined;

/** The folder probe modules of the baseline are written to, or null when BENCH_BASELINE is unset. */
export function baseline(): string | null {
  if (installed !== undefined) return installed;
  const from = process.env.BENCH_BASELINE;
  if (!from) return (installed = null);
  const source = resolve(from);
  if (!existsSync(source)) throw new Error(`BENCH_BASELINE: ${source} does not exist`);
  const target = join(baselineDir, "node_modules/greenlake-sdk");
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  if (statSync(source).isDirectory()) {
    for (const part of ["package.json", "dist"]) cpSync(join(source, part), join(target, part), { recursive: true });
  } else {
    execFileSync("tar", ["-xzf", source, "-C", target, "--strip-components=1"]);
  }
  writeFileSync(join(baselineDir, "package.json"), `${JSON.stringify({ name: "greenlake-sdk-bench-baseline", private: true, type: "module" })}\n`);
  return (installed = baselineDir);
}

/**
 * Cold import time of a module specifier: each sample is a fresh node process
 * timing one dynamic `import()` of the built package (dist/), so neither a
 * TypeScript loader nor a warm module cache is counted.
 */
import { execFileSync } from "node:child_process";
import { median } from "./latency.js";
import { repoRoot } from "../scripts/package-layout.js";

const PROBE =
  "const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));";

function importOnce(specifier: string): number {
  // cwd is the package root, so `greenlake-sdk` resolves to this package's own exports.
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", PROBE, specifier], { cwd: repoRoot, encoding: "utf8" });
  return Number(out);
}

/** Median cold import time per specifier, sampling them in interleaved rounds. */
export function measureImports(specifiers: readonly string[], rounds: number): Map<string, number> {
  const samples = new Map(specifiers.map((s) => [s, [] as number[]]));
  for (const s of specifiers) importOnce(s); // warm the file system cache, not recorded
  for (let r = 0; r < rounds; r++) {
    for (const s of specifiers) samples.get(s)!.push(importOnce(s));
  }
  return new Map([...samples].map(([s, v]) => [s, median(v)]));
}

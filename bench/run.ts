/**
 * `npm run bench`: builds the package, runs every figure module below (each
 * metric at least three times), prints min / median / max against its target
 * and writes bench/results.json. Add a figure by adding its module to FIGURES.
 * `npm run bench -- per-call cold-start` runs only the named figures.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../scripts/package-layout.js";
import { runCliBench } from "./cli.js";
import { coldStart } from "./cold-start.js";
import { fleet } from "./fleet.js";
import { summarize, type Figure, type Sdk, type Summary } from "./figure.js";
import { generate } from "./generate.js";
import { imports } from "./imports.js";
import { pagination } from "./pagination.js";
import { perCall } from "./per-call.js";
import { startStub } from "./stub-client.js";
import { tokens } from "./tokens.js";
import { typecheck } from "./typecheck.js";

const FIGURES: Figure[] = [perCall, tokens, pagination, coldStart, imports, typecheck, generate, fleet];

// A variable specifier: resolved at run time to the built package (dist/), never to the sources.
const PACKAGE = "greenlake-sdk";
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

function build(): number {
  progress("building the package");
  const started = performance.now();
  execFileSync(process.execPath, [join(repoRoot, "node_modules/tsx/dist/cli.mjs"), "scripts/build.ts"], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const started = performance.now();
  const only = process.argv.slice(2);
  const figures = only.length > 0 ? FIGURES.filter((f) => only.includes(f.name)) : FIGURES;
  const buildS = build();
  const sdk = (await import(PACKAGE)) as Sdk;
  const stub = await startStub();
  const results: Record<string, { metrics: Record<string, Summary>; details?: unknown; notes?: readonly string[] }> = {};
  try {
    for (const figure of figures) {
      const r = await figure.run({ sdk, stub, runs: RUNS, progress });
      results[figure.name] = { metrics: Object.fromEntries(r.metrics.map((m) => [m.name, summarize(m)])), details: r.details, notes: r.notes };
    }
  } finally {
    await stub.stop();
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: (await import("node:os")).availableParallelism(),
    runs: RUNS,
    build_s: Number(buildS.toFixed(1)),
    bench_s: Number(((performance.now() - started) / 1000).toFixed(1)),
    figures: results,
  };
  const file = only.length > 0 ? "bench/results.partial.json" : "bench/results.json";
  writeFileSync(join(repoRoot, file), `${JSON.stringify(report, null, 2)}\n`);
  printTable(results);
  console.log(`\nwrote ${file} (${report.bench_s} s, ${RUNS} runs per figure, ${report.cpus} CPUs)`);
  // glp as whole processes beside curl, in interleaved rounds of its own (bench/cli-results.json).
  if (only.length === 0 || only.includes("cli")) await runCliBench();
}

function printTable(results: Record<string, { metrics: Record<string, Summary>; notes?: readonly string[] }>): void {
  const rows: string[][] = [["figure", "min", "median", "max", "unit", "target", "verdict"]];
  for (const { metrics } of Object.values(results)) {
    for (const [name, s] of Object.entries(metrics)) {
      const verdict = s.met === undefined ? "" : s.met ? (s.worst_run_met ? "met" : "met (not in every run)") : "MISSED";
      rows.push([name, String(s.min), String(s.median), String(s.max), s.unit, s.target ?? "", verdict]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
  for (const { notes } of Object.values(results)) for (const note of notes ?? []) console.log(`note: ${note}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

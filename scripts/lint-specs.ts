/**
 * `npm run specs:lint`: lint every fetched document with Redocly and compare with
 * specs/lint-baseline.json. Fails on any problem beyond the baseline;
 * `--update-baseline` records the current counts instead (after reviewing them).
 * Documents unchanged since their last lint (same bytes, redocly.yaml and
 * Redocly version) are answered from a cache; `--no-cache` lints them all.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../src/specs/fs-atomic.js";
import { lintWithCache } from "./lib/lint-cache.js";
import { compareWithBaseline, normalizeCounts, totals, type LintCounts } from "./lib/lint-baseline.js";
import { loadManifest } from "../src/specs/manifest.js";
import { defaultManifestPath, defaultSpecsDir, projectRoot, specPath } from "./lib/paths.js";
import { lintDocuments } from "./lib/run-redocly.js";
import { runScript } from "./lib/run-script.js";

const baselinePath = join(projectRoot, "specs", "lint-baseline.json");
const cachePath = join(projectRoot, "node_modules", ".cache", "greenlake-sdk", "lint.json");

async function main(): Promise<number> {
  const update = process.argv.includes("--update-baseline");
  const manifest = await loadManifest(defaultManifestPath);
  const keys = manifest.documents.map((d) => d.key);
  const started = performance.now();
  const documents = new Map<string, Buffer>();
  for (const key of keys) {
    documents.set(
      key,
      await readFile(specPath(defaultSpecsDir, key)).catch(() => {
        throw new Error(`specs/${key}.json is missing; run npm run specs:fetch`);
      }),
    );
  }
  const redocly = JSON.parse(await readFile(join(projectRoot, "node_modules", "@redocly", "cli", "package.json"), "utf8")) as { version: string };
  const inputs = { documents, config: await readFile(join(projectRoot, "redocly.yaml")), redoclyVersion: redocly.version };
  const lint = (stale: readonly string[]) => lintDocuments({ keys: stale });
  const run = process.argv.includes("--no-cache")
    ? { counts: await lint(keys), linted: keys, cached: [] as string[] }
    : await lintWithCache(cachePath, inputs, lint);
  const current = normalizeCounts(run.counts, keys);
  const seconds = `${((performance.now() - started) / 1000).toFixed(1)} s; ${run.linted.length} linted, ${run.cached.length} unchanged since their last lint`;
  const baseline = await readBaseline();
  const differences = compareWithBaseline(current, baseline);
  const all = keys.map((key) => totals(current[key]));
  const summary = `${keys.length} documents, ${sum(all.map((t) => t.errors))} errors and ${sum(all.map((t) => t.warnings))} warnings in ${seconds}`;

  if (update) {
    await writeFileAtomic(baselinePath, `${JSON.stringify(current, null, 2)}\n`);
    console.log(`specs:lint: baseline updated (${differences.length} changed counts); ${summary}`);
    return 0;
  }
  const worse = differences.filter((d) => d.current > d.baseline);
  for (const d of differences) {
    const label = d.current > d.baseline ? "new" : "gone";
    const stream = d.current > d.baseline ? console.error : console.log;
    stream(`specs:lint: ${d.key}: ${label} ${d.severity.slice(0, -1)}s for ${d.rule}: ${d.baseline} -> ${d.current}`);
  }
  if (worse.length > 0) {
    console.error(`specs:lint: ${worse.length} rule counts above specs/lint-baseline.json; fix with a correction or review and run npm run specs:lint -- --update-baseline`);
    console.error(`specs:lint: ${summary}`);
    return 1;
  }
  console.log(`specs:lint: no problems beyond the baseline; ${summary}`);
  return 0;
}

async function readBaseline(): Promise<LintCounts> {
  try {
    return JSON.parse(await readFile(baselinePath, "utf8")) as LintCounts;
  } catch {
    return {};
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

runScript("specs:lint", main);

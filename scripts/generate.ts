/**
 * `npm run generate`: corrected documents, types, service metadata and entry modules into generated/.
 * `npm run generate:check`: fail when generated/ is stale or was edited by hand.
 */
import { readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { corrections } from "../src/specs/corrections.js";
import { findDrift, generateOutput, inputsHash, readStamp, stampFor, writeOutput } from "./lib/generate-output.js";
import { loadManifest } from "../src/specs/manifest.js";
import { defaultGeneratedDir, defaultManifestPath, defaultSpecsDir, projectRoot } from "./lib/paths.js";
import { runScript } from "./lib/run-script.js";

async function generatorFiles(): Promise<string[]> {
  // Document code shared with the mocks (corrections included) lives in src/specs/, the rest in scripts/lib/.
  const dirs = [join(projectRoot, "scripts", "lib"), join(projectRoot, "src", "specs")];
  const libFiles = (await Promise.all(dirs.map(async (dir) => (await readdir(dir)).filter((f) => f.endsWith(".ts")).map((f) => join(dir, f))))).flat();
  return [...libFiles, join(projectRoot, "scripts", "generate.ts"), join(projectRoot, "src", "metadata.ts")];
}

function toolVersions(): string {
  const require = createRequire(import.meta.url);
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  return `openapi-typescript@${version("openapi-typescript")} typescript@${version("typescript")}`;
}

async function main(): Promise<number> {
  // Directory options exist so tests can generate from small documents in temp dirs.
  const { values } = parseArgs({
    options: {
      check: { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      manifest: { type: "string" },
      "specs-dir": { type: "string" },
      "generated-dir": { type: "string" },
    },
  });
  const { check, force } = values;
  const manifestPath = values.manifest ? resolve(values.manifest) : defaultManifestPath;
  const specsDir = values["specs-dir"] ? resolve(values["specs-dir"]) : defaultSpecsDir;
  const generatedDir = values["generated-dir"] ? resolve(values["generated-dir"]) : defaultGeneratedDir;
  const manifest = await loadManifest(manifestPath);
  const hash = await inputsHash({ manifestPath, specsDir, manifest, generatorFiles: await generatorFiles(), extra: toolVersions() });
  const drift = await findDrift(generatedDir, await readStamp(generatedDir), hash);
  if (check) {
    for (const problem of drift) console.error(`generate:check: ${problem}`);
    if (drift.length > 0) {
      console.error("generate:check: run npm run generate");
      return 1;
    }
    console.log("generate:check: generated/ is up to date");
    return 0;
  }
  if (drift.length === 0 && !force) {
    console.log("generate: generated/ is up to date");
    return 0;
  }
  const started = performance.now();
  const output = await generateOutput({ manifest, specsDir, corrections });
  for (const note of output.unusedCorrections) console.warn(`generate: correction no longer changes anything: ${note}`);
  const { written, removed } = await writeOutput(generatedDir, output.files, stampFor(hash, output.files));
  const operations = output.metadata.reduce((sum, m) => sum + m.operations.length, 0);
  const limited = output.metadata.reduce((sum, m) => sum + m.operations.filter((op) => op.rateLimits !== undefined).length, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`generate: ${output.metadata.length} services, ${manifest.documents.length} documents, ${operations} operations; ${written} files written, ${removed} removed in ${seconds} s; ${limited} operations with a known rate limit`);
  return 0;
}

runScript("generate", main);

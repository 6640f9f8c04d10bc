/**
 * Checks the publishable package: builds it, lints it with publint and
 * @arethetypeswrong/cli, then packs the tarball, installs it offline into a
 * temporary project (dependencies from the npm cache) and uses it through
 * `import`, `require` and the TypeScript declarations.
 *
 * Usage: tsx scripts/check-package.ts [--no-build]
 * Exits non-zero on the first failing check.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./package-layout.js";

const fixtures = join(repoRoot, "test/package");
const bin = (name: string) => join(repoRoot, "node_modules/.bin", name);

function run(label: string, command: string, args: string[], cwd = repoRoot): string {
  const started = performance.now();
  try {
    const out = execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    console.log(`ok   ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return out;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    console.error(`FAIL ${label}\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    throw new Error(`package check failed: ${label}`);
  }
}

function pack(into: string): string {
  const out = run("npm pack", "npm", ["pack", "--json", "--pack-destination", into]);
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  const leaked = info!.files.map((f) => f.path).filter((p) => !p.startsWith("dist/") && !/^[A-Z]+[\w.]*$|^package\.json$/.test(p));
  if (leaked.length > 0) throw new Error(`package check failed: unexpected files in the tarball: ${leaked.join(", ")}`);
  return join(into, info!.filename);
}

function smoke(tarball: string, project: string): void {
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "greenlake-sdk-smoke", private: true }, null, 2));
  run("install tarball offline", "npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], project);
  for (const f of ["consumer.mjs", "consumer.cjs", "smoke-server.cjs"]) copyFileSync(join(fixtures, f), join(project, f));
  copyFileSync(join(fixtures, "consumer.ts.txt"), join(project, "consumer.ts"));
  copyFileSync(join(fixtures, "tsconfig.consumer.json"), join(project, "tsconfig.json"));
  run("use through import", process.execPath, ["consumer.mjs"], project);
  run("use through require", process.execPath, ["consumer.cjs"], project);
  run("typecheck a consumer", process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], project);
}

function main(): void {
  const started = performance.now();
  if (!process.argv.includes("--no-build")) run("build", process.execPath, [bin("tsx"), "scripts/build.ts"]);
  const work = mkdtempSync(join(tmpdir(), "greenlake-sdk-package-"));
  try {
    const tarball = pack(work);
    run("publint", bin("publint"), ["run", tarball, "--strict"]);
    // node10 resolution has no subpath exports; engines.node >= 20 and TypeScript's node16/bundler modes cover consumers.
    run("attw", bin("attw"), [tarball, "--profile", "node16", "--format", "ascii"]);
    smoke(tarball, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`package checks passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

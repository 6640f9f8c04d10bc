/**
 * Checks the publishable package: builds it, lints it with publint and
 * @arethetypeswrong/cli, then packs the tarball, installs it offline into a
 * temporary project (dependencies from the npm cache) and uses it through
 * `import`, `require` and the TypeScript declarations, and runs its `glp` bin.
 *
 * Usage: tsx scripts/check-package.ts [--no-build]
 * Exits non-zero on the first failing check.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { distDir, repoRoot } from "./package-layout.js";

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

/** Bare specifiers that dist/ imports (code and declarations) must be declared dependencies: a hoisted transitive one breaks under strict installers. */
function checkDeclaredImports(): void {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const specifier = /(?:from |import\(|require\()"([^"./][^"]*)"/g;
  const undeclared = new Set<string>();
  for (const entry of readdirSync(join(repoRoot, distDir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(js|d\.ts)$/.test(entry.name)) continue;
    for (const [, spec] of readFileSync(join(entry.parentPath, entry.name), "utf8").matchAll(specifier)) {
      if (spec!.startsWith("node:")) continue;
      const name = spec!.startsWith("@") ? spec!.split("/").slice(0, 2).join("/") : spec!.split("/")[0]!;
      if (!declared.has(name)) undeclared.add(name);
    }
  }
  if (undeclared.size > 0) {
    console.error(`FAIL declared dependencies\ndist/ imports packages package.json does not declare: ${[...undeclared].join(", ")}`);
    throw new Error("package check failed: declared dependencies");
  }
  console.log("ok   declared dependencies");
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
  // The installed bin link, as `npx glp` runs it.
  const glp = join(project, "node_modules/.bin/glp");
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
  const version = run("glp --version", glp, ["--version"], project).trim();
  if (version !== pkg.version) throw new Error(`package check failed: glp --version printed ${JSON.stringify(version)}, expected ${pkg.version}`);
  const help = run("glp identity get-users --help", glp, ["identity", "get-users", "--help"], project);
  if (!help.includes("GET /identity/v1/users") || !help.includes("--limit <integer>")) throw new Error(`package check failed: glp help lacks the operation:\n${help}`);
}

function main(): void {
  const started = performance.now();
  if (!process.argv.includes("--no-build")) run("build", process.execPath, [bin("tsx"), "scripts/build.ts"]);
  checkDeclaredImports();
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

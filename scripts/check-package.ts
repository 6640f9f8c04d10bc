/**
 * Checks the publishable package: builds it, lints it with publint and
 * @arethetypeswrong/cli, packs the tarball and checks it holds no HPE
 * document, then installs it into a temporary project (dependencies from the
 * npm cache where it holds them: a fresh machine's `npm ci` caches tarballs but
 * not the registry metadata an install needs) and uses it through `import`, `require`, the TypeScript
 * declarations, its mocks (documents from GREENLAKE_SPECS_MIRROR, or this
 * checkout's specs/ when unset) and its `glp` bin.
 *
 * Usage: tsx scripts/check-package.ts [--no-build]
 * Exits non-zero on the first failing check.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { documentHash, sha256 } from "../src/specs/canonical.js";
import { parseManifest } from "../src/specs/manifest.js";
import { distDir, repoRoot } from "./package-layout.js";

const fixtures = join(repoRoot, "test/package");
const bin = (name: string) => join(repoRoot, "node_modules/.bin", name);

function run(label: string, command: string, args: string[], cwd = repoRoot, env: Record<string, string | undefined> = {}): string {
  const started = performance.now();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  try {
    const out = execFileSync(command, args, { cwd, env: childEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
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
  const leaked = info!.files.map((f) => f.path).filter((p) => !p.startsWith("dist/") && !/^[A-Z]+[\w.]*$|^package\.json$|^specs\/sources\.json$|^docs\/cli\.md$/.test(p));
  if (leaked.length > 0) throw new Error(`package check failed: unexpected files in the tarball: ${leaked.join(", ")}`);
  return join(into, info!.filename);
}

/** Bare specifiers that dist/ imports (code and declarations) must be declared dependencies: a hoisted transitive one breaks under strict installers. */
function checkDeclaredImports(): void {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  // The package's own name resolves through its exports (and names it in examples in doc comments).
  const declared = new Set([String(pkg.name), ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
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

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * HPE's documents (c) HPE must not ship: no file of generated/openapi, no file with the bytes of a
 * mirrored, fetched or corrected document, no JSON whose content hashes to a pin, no OpenAPI body.
 */
function checkNoHpeDocuments(tarball: string, work: string, mirrorDir: string): void {
  const unpacked = join(work, "unpacked");
  mkdirSync(unpacked);
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
  const known = new Map<string, string>();
  const sources = [mirrorDir, join(repoRoot, "specs"), join(repoRoot, "generated/openapi")];
  for (const file of sources.flatMap(filesUnder)) {
    if (file.endsWith(".json") && !/(^|[/\\])(sources|lint-baseline)\.json$/.test(file)) known.set(sha256(readFileSync(file)), relative(repoRoot, file));
  }
  const pins = new Set(parseManifest(JSON.parse(readFileSync(join(repoRoot, "specs/sources.json"), "utf8"))).documents.map((d) => d.sha256));
  const problems: string[] = [];
  const files = filesUnder(join(unpacked, "package"));
  for (const file of files) {
    const path = relative(join(unpacked, "package"), file).split(sep).join("/");
    const bytes = readFileSync(file);
    if (/(^|\/)generated\/openapi\//.test(path)) problems.push(`${path}: a file of generated/openapi`);
    const same = known.get(sha256(bytes));
    if (same) problems.push(`${path}: the same bytes as ${same}`);
    const text = bytes.toString("utf8");
    if (/"(openapi|swagger)"\s*:\s*"[23]\./.test(text)) problems.push(`${path}: holds an OpenAPI document body`);
    if (!path.endsWith(".json")) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    if (pins.has(documentHash(parsed))) problems.push(`${path}: an HPE document pinned in specs/sources.json`);
  }
  if (problems.length > 0) {
    console.error(`FAIL no HPE document in the tarball\n${problems.join("\n")}`);
    throw new Error("package check failed: HPE documents in the tarball");
  }
  if (known.size === 0) throw new Error("package check failed: no HPE documents to compare the tarball with; run npm run specs:fetch or set GREENLAKE_SPECS_MIRROR");
  console.log(`ok   no HPE document in the tarball (${files.length} files against ${known.size} documents)`);
}

/** A loopback origin nothing listens on: stands in for HPE's portal, so nothing is fetched from it. */
async function closedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}`;
}

async function smoke(tarball: string, project: string, mirrorDir: string): Promise<void> {
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "greenlake-sdk-smoke", private: true }, null, 2));
  run("install tarball (cache first)", "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], project);
  // Prism, the optional peer the mocks need, is the repository's own copy: the npm cache lacks the metadata to install it offline.
  mkdirSync(join(project, "node_modules/@stoplight"), { recursive: true });
  symlinkSync(join(repoRoot, "node_modules/@stoplight/prism-cli"), join(project, "node_modules/@stoplight/prism-cli"), "dir");
  for (const f of ["consumer.mjs", "consumer.cjs", "smoke-server.cjs", "mocks-consumer.mjs", "mocks-unreachable.cjs", "webhooks-consumer.mjs"]) copyFileSync(join(fixtures, f), join(project, f));
  copyFileSync(join(fixtures, "consumer.ts.txt"), join(project, "consumer.ts"));
  copyFileSync(join(fixtures, "tsconfig.consumer.json"), join(project, "tsconfig.json"));
  run("use through import", process.execPath, ["consumer.mjs"], project);
  run("use through require", process.execPath, ["consumer.cjs"], project);
  run("webhooks entry", process.execPath, ["webhooks-consumer.mjs"], project);
  run("typecheck a consumer", process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], project);
  const portal = await closedOrigin();
  const offline = { GREENLAKE_SPECS_UPSTREAM_ORIGIN: portal, GREENLAKE_MOCK_DOCUMENTS: undefined };
  run("mocks offline from GREENLAKE_SPECS_MIRROR", process.execPath, ["mocks-consumer.mjs"], project, { ...offline, GREENLAKE_SPECS_MIRROR: mirrorDir, XDG_CACHE_HOME: join(project, "cache") });
  run("mocks without mirror or portal fail in one line", process.execPath, ["mocks-unreachable.cjs"], project, { ...offline, GREENLAKE_SPECS_MIRROR: undefined, XDG_CACHE_HOME: join(project, "cache-empty") });
  // The installed bin link, as `npx glp` runs it.
  const glp = join(project, "node_modules/.bin/glp");
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
  const version = run("glp --version", glp, ["--version"], project).trim();
  if (version !== pkg.version) throw new Error(`package check failed: glp --version printed ${JSON.stringify(version)}, expected ${pkg.version}`);
  const help = run("glp identity get-users --help", glp, ["identity", "get-users", "--help"], project);
  if (!help.includes("GET /identity/v1/users") || !help.includes("--limit <integer>")) throw new Error(`package check failed: glp help lacks the operation:\n${help}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  if (!process.argv.includes("--no-build")) run("build", process.execPath, [bin("tsx"), "scripts/build.ts"]);
  checkDeclaredImports();
  // Unset, this checkout's specs/ (filled by the build's specs:fetch) serves as the mirror.
  const mirror = process.env.GREENLAKE_SPECS_MIRROR;
  const mirrorDir = mirror ? resolve(process.cwd(), mirror) : join(repoRoot, "specs");
  const work = mkdtempSync(join(tmpdir(), "greenlake-sdk-package-"));
  try {
    const tarball = pack(work);
    checkNoHpeDocuments(tarball, work, mirrorDir);
    run("publint", bin("publint"), ["run", tarball, "--strict"]);
    // node10 resolution has no subpath exports; engines.node >= 20 and TypeScript's node16/bundler modes cover consumers.
    run("attw", bin("attw"), [tarball, "--profile", "node16", "--format", "ascii"]);
    await smoke(tarball, work, mirrorDir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`package checks passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

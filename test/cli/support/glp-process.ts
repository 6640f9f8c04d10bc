/**
 * glp as a separate process, the way a shell runs it: the sources are
 * transpiled (as the package build does, one file per module) into
 * node_modules/.cache, so each command starts as fast as the installed bin.
 * The transpiled copy is keyed on the sources' content: the test files of a
 * run (in any worker) and later runs over the same sources share one, and
 * a changed source gives a new one.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { transform, version as esbuildVersion } from "esbuild";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const cacheRoot = join(repoRoot, "node_modules/.cache");
const PREFIX = "glp-test-";
/** Written last: a folder holding it is complete. */
const COMPLETE = ".complete";

let built: Promise<string> | undefined;

function glpSources(): string[] {
  return ["src", "generated/services", "generated/cli"]
    .flatMap((dir) =>
      readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
        .map((e) => relative(repoRoot, join(e.parentPath, e.name))),
    )
    .sort();
}

/** Copies of other sources (or of the earlier per-process layout) that no test has used for a day. */
function pruneOld(keep: string): void {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of readdirSync(cacheRoot)) {
    if (!name.startsWith(PREFIX) || name === keep) continue;
    const path = join(cacheRoot, name);
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another run meanwhile.
    }
  }
}

/** Path of the transpiled main.js; built once for these sources, whichever test process gets there first. */
export function buildGlp(): Promise<string> {
  return (built ??= (async () => {
    const sources = glpSources();
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { name: string; version: string };
    const hash = createHash("sha256").update(`${esbuildVersion}\n${pkg.name}@${pkg.version}\n`);
    const texts = new Map<string, string>();
    for (const source of sources) {
      const text = readFileSync(join(repoRoot, source), "utf8");
      texts.set(source, text);
      hash.update(`${source}\n${text.length}\n`).update(text);
    }
    const name = `${PREFIX}${hash.digest("hex").slice(0, 20)}`;
    const outDir = join(cacheRoot, name);
    const main = join(outDir, "src/cli/main.js");
    mkdirSync(cacheRoot, { recursive: true });
    if (existsSync(join(outDir, COMPLETE))) return main;

    // Built aside and renamed into place whole: a test process never runs a half-written copy.
    const aside = `${outDir}.${process.pid}.tmp`;
    rmSync(aside, { recursive: true, force: true });
    await Promise.all(
      sources.map(async (source) => {
        const result = await transform(texts.get(source)!, { loader: "ts", format: "esm", platform: "node", target: "node20", sourcefile: source });
        const target = join(aside, source.replace(/\.ts$/, ".js"));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, result.code);
      }),
    );
    writeFileSync(join(aside, "package.json"), JSON.stringify({ name: pkg.name, version: pkg.version, type: "module" }));
    // The mocks look beside the package's package.json for the pins and, in a checkout, the fetched documents.
    symlinkSync(join(repoRoot, "specs"), join(aside, "specs"), "dir");
    writeFileSync(join(aside, COMPLETE), "");
    try {
      renameSync(aside, outDir);
    } catch (error) {
      // Another test process put the same copy in place first.
      rmSync(aside, { recursive: true, force: true });
      if (!existsSync(join(outDir, COMPLETE))) throw error;
    }
    pruneOld(name);
    return main;
  })());
}

export interface GlpResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// At most this many glp processes of one test file run at once; more only queue for the CPUs.
const MAX_RUNNING = Math.max(2, availableParallelism()) * 2;
let running = 0;
const queued: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => queued.push(resolve));
  else running++;
  return () => {
    const next = queued.shift();
    if (next) next();
    else running--;
  };
}

export async function glp(args: readonly string[], options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}): Promise<GlpResult> {
  const main = await buildGlp();
  const release = await slot();
  try {
    return await new Promise<GlpResult>((resolve, reject) => {
      const child = spawn(process.execPath, [main, ...args], { env: options.env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      // A limit for a hang, not a verdict: far above what a command needs on a machine ten times slower.
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(options.input ?? "");
    });
  } finally {
    release();
  }
}

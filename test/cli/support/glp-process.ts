/**
 * glp as a separate process, the way a shell runs it: the sources are
 * transpiled once (as the package build does, one file per module) into
 * node_modules/.cache, so each command starts as fast as the installed bin.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
// One folder per test process: test files in other workers build their own at the same time.
const outDir = join(repoRoot, `node_modules/.cache/glp-test-${process.pid}`);

let built: Promise<string> | undefined;

/** Path of the transpiled main.js; built once per test process. */
export function buildGlp(): Promise<string> {
  return (built ??= (async () => {
    rmSync(outDir, { recursive: true, force: true });
    const sources = ["src", "generated/services", "generated/cli"].flatMap((dir) =>
      readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
        .map((e) => relative(repoRoot, join(e.parentPath, e.name))),
    );
    await Promise.all(
      sources.map(async (source) => {
        const result = await transform(readFileSync(join(repoRoot, source), "utf8"), { loader: "ts", format: "esm", platform: "node", target: "node20", sourcefile: source });
        const target = join(outDir, source.replace(/\.ts$/, ".js"));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, result.code);
      }),
    );
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { name: string; version: string };
    writeFileSync(join(outDir, "package.json"), JSON.stringify({ name: pkg.name, version: pkg.version, type: "module" }));
    // The mocks look beside the package's package.json for the pins and, in a checkout, the fetched documents.
    symlinkSync(join(repoRoot, "specs"), join(outDir, "specs"), "dir");
    return join(outDir, "src/cli/main.js");
  })());
}

export interface GlpResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export async function glp(args: readonly string[], options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}): Promise<GlpResult> {
  const main = await buildGlp();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { env: options.env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/**
 * Type-checking cost for a consumer: `tsc --noEmit` of a file that calls one
 * operation of every service through the built package's declarations,
 * against the same compiler run on an empty file.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServiceMetadata } from "../src/metadata.js";
import { repoRoot } from "../scripts/package-layout.js";
import { median } from "./latency.js";

// Inside the repository so `greenlake-sdk` resolves to this package's own exports (dist/).
const workDir = join(repoRoot, ".tmp/bench-typecheck");
const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");

export interface TypecheckResult {
  consumerS: number;
  emptyS: number;
  ratio: number;
  operations: string[];
}

export function camelCase(serviceKey: string): string {
  return serviceKey.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** GET operations without path parameters, simplest first: they need no arguments to call. */
function candidates(metadata: ServiceMetadata): string[] {
  const gets = metadata.operations.filter((o) => o.method === "get" && !o.path.includes("{"));
  return [...new Set(gets.map((o) => o.path))].sort((a, b) => a.length - b.length);
}

function consumerSource(calls: Map<string, { path: string; loose: boolean }>): string {
  const lines = [
    'import { GreenLake } from "greenlake-sdk";',
    "",
    "export async function callEveryService(gl: GreenLake): Promise<unknown[]> {",
    "  return [",
  ];
  for (const [service, { path, loose }] of calls) {
    // `loose`: no argument-free GET checks cleanly, so required parameters are waived.
    const init = loose ? ", {} as never" : "";
    lines.push(`    (await gl.${camelCase(service)}.GET(${JSON.stringify(path)}${init})).data,`);
  }
  lines.push("  ];", "}", "");
  return lines.join("\n");
}

function writeProject(name: string, source: string): string {
  mkdirSync(workDir, { recursive: true });
  writeFileSync(join(workDir, `${name}.ts`), source);
  const config = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2023", "DOM"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    files: [`${name}.ts`],
  };
  const configPath = join(workDir, `tsconfig.${name}.json`);
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return configPath;
}

/** Runs tsc; returns seconds and the lines (1-based) that had errors. */
function runTsc(configPath: string): { seconds: number; errorLines: Set<number>; output: string } {
  const started = performance.now();
  let output = "";
  try {
    execFileSync(process.execPath, [tsc, "-p", configPath, "--pretty", "false"], { cwd: workDir, encoding: "utf8" });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  const seconds = (performance.now() - started) / 1000;
  const errorLines = new Set([...output.matchAll(/\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])));
  return { seconds, errorLines, output };
}

export function measureTypecheck(services: ReadonlyMap<string, ServiceMetadata>, rounds: number): TypecheckResult {
  const options = new Map([...services].map(([key, m]) => [key, candidates(m)]));
  const calls = new Map<string, { path: string; loose: boolean }>();
  for (const [key, paths] of options) calls.set(key, { path: paths[0] ?? "/", loose: paths.length === 0 });
  const firstCallLine = 5;
  const consumerConfig = () => writeProject("consumer", consumerSource(calls));
  // Swap out operations whose required parameters make the argument-free call fail to check.
  for (let attempt = 0; ; attempt++) {
    const { errorLines, output } = runTsc(consumerConfig());
    if (errorLines.size === 0) break;
    if (attempt === 3) throw new Error(`typecheck bench: consumer file does not compile:\n${output}`);
    [...calls.keys()].forEach((key, i) => {
      if (!errorLines.has(firstCallLine + i)) return;
      const next = options.get(key)!.indexOf(calls.get(key)!.path) + 1;
      const path = options.get(key)![next];
      calls.set(key, path && attempt < 2 ? { path, loose: false } : { path: calls.get(key)!.path, loose: true });
    });
  }
  const emptyConfig = writeProject("empty", "export {};\n");
  const consumer: number[] = [];
  const empty: number[] = [];
  for (let r = 0; r < rounds; r++) {
    consumer.push(runTsc(consumerConfig()).seconds);
    empty.push(runTsc(emptyConfig).seconds);
  }
  const consumerS = median(consumer);
  const emptyS = median(empty);
  return {
    consumerS,
    emptyS,
    ratio: consumerS / emptyS,
    operations: [...calls].map(([k, c]) => `${k} GET ${c.path}${c.loose ? " (params waived)" : ""}`),
  };
}

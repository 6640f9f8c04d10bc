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
  /** One call through one per-service entry: what a consumer of a single service pays. */
  oneServiceS: number;
  ratio: number;
  operations: string[];
}

export function camelCase(serviceKey: string): string {
  return serviceKey.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

interface Call {
  method: string;
  path: string;
  /** No candidate checks with the generated arguments, so the arguments are waived. */
  loose: boolean;
}

/** Operations to try, simplest first: GETs without path parameters, then GETs with them, then anything. */
function candidates(metadata: ServiceMetadata): { method: string; path: string }[] {
  const params = (path: string) => (path.match(/\{/g) ?? []).length;
  const ops = metadata.operations.map((o) => ({ method: o.method.toUpperCase(), path: o.path }));
  const rank = (o: { method: string; path: string }) => (o.method === "GET" ? 0 : 100) + params(o.path) * 10;
  return ops.sort((a, b) => rank(a) - rank(b) || a.path.length - b.path.length);
}

function callArguments({ path, loose }: Call): string {
  if (loose) return ", {} as never";
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return "";
  const values = names.map((n) => `${JSON.stringify(n)}: "example"`).join(", ");
  return `, { params: { path: { ${values} } } }`;
}

function consumerSource(calls: Map<string, Call>): string {
  const lines = [
    'import { GreenLake } from "greenlake-sdk";',
    "",
    "export async function callEveryService(gl: GreenLake): Promise<unknown[]> {",
    "  return [",
  ];
  for (const [service, call] of calls) {
    lines.push(`    (await gl.${camelCase(service)}.${call.method}(${JSON.stringify(call.path)}${callArguments(call)})).data,`);
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
  const calls = new Map<string, Call>();
  for (const [key, ops] of options) calls.set(key, { ...ops[0]!, loose: false });
  const firstCallLine = 5;
  const consumerConfig = () => writeProject("consumer", consumerSource(calls));
  // Move on to the next candidate where the generated arguments do not match the operation's parameters.
  for (let attempt = 0; ; attempt++) {
    const { errorLines, output } = runTsc(consumerConfig());
    if (errorLines.size === 0) break;
    if (attempt === 4) throw new Error(`typecheck bench: consumer file does not compile:\n${output}`);
    [...calls.keys()].forEach((key, i) => {
      if (!errorLines.has(firstCallLine + i)) return;
      const current = calls.get(key)!;
      const ops = options.get(key)!;
      const next = ops[ops.findIndex((o) => o.method === current.method && o.path === current.path) + 1];
      calls.set(key, next && attempt < 3 ? { ...next, loose: false } : { ...current, loose: true });
    });
  }
  const emptyConfig = writeProject("empty", "export {};\n");
  const com = calls.get("compute-ops-mgmt")!;
  const oneServiceConfig = writeProject(
    "one-service",
    [
      'import { createComputeOpsMgmtClient } from "greenlake-sdk/compute-ops-mgmt";',
      "",
      "export async function callOneService(): Promise<unknown> {",
      `  return (await createComputeOpsMgmtClient().${com.method}(${JSON.stringify(com.path)}${callArguments(com)})).data;`,
      "}",
      "",
    ].join("\n"),
  );
  const consumer: number[] = [];
  const empty: number[] = [];
  const oneService: number[] = [];
  for (let r = 0; r < rounds; r++) {
    consumer.push(runTsc(consumerConfig()).seconds);
    empty.push(runTsc(emptyConfig).seconds);
    const one = runTsc(oneServiceConfig);
    if (one.errorLines.size > 0) throw new Error(`typecheck bench: one-service file does not compile:\n${one.output}`);
    oneService.push(one.seconds);
  }
  const consumerS = median(consumer);
  const emptyS = median(empty);
  return {
    consumerS,
    emptyS,
    ratio: consumerS / emptyS,
    oneServiceS: median(oneService),
    operations: [...calls].map(([k, c]) => `${k} ${c.method} ${c.path}${c.loose ? " (arguments waived)" : ""}`),
  };
}

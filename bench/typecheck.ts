/**
 * Type-checking cost for consumers of the built declarations (`tsc --noEmit`,
 * skipLibCheck): one service through the root `GreenLake` against the same
 * call through the per-service entry, and one call to every service through
 * the root against bare openapi-fetch over the same generated paths.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServiceMetadata } from "../src/metadata.js";
import { repoRoot } from "../scripts/package-layout.js";
import { repeat, type Figure } from "./figure.js";

// Inside the repository so `greenlake-sdk` resolves to this package's own exports (dist/).
const workDir = join(repoRoot, ".tmp/bench/typecheck");
const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");

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

function callLine(receiver: string, call: Call): string {
  return `    (await ${receiver}.${call.method}(${JSON.stringify(call.path)}${callArguments(call)})).data,`;
}

function rootConsumer(calls: Map<string, Call>): string {
  const lines = ['import { GreenLake } from "greenlake-sdk";', "", "export async function callEveryService(gl: GreenLake): Promise<unknown[]> {", "  return ["];
  for (const [service, call] of calls) lines.push(callLine(`gl.${camelCase(service)}`, call));
  lines.push("  ];", "}", "");
  return lines.join("\n");
}

/** The same calls with bare openapi-fetch over the same generated paths. */
function openapiFetchConsumer(calls: Map<string, Call>): string {
  const keys = [...calls.keys()];
  const lines = ['import createClient from "openapi-fetch";'];
  keys.forEach((key, i) => lines.push(`import type { paths as Paths${i} } from "greenlake-sdk/${key}";`));
  lines.push("", "export async function callEveryService(): Promise<unknown[]> {", "  return [");
  keys.forEach((key, i) => lines.push(callLine(`createClient<Paths${i}>()`, calls.get(key)!)));
  lines.push("  ];", "}", "");
  return lines.join("\n");
}

function oneServiceThroughRoot(call: Call): string {
  return [
    'import { GreenLake } from "greenlake-sdk";',
    "",
    "export async function callOneService(gl: GreenLake): Promise<unknown> {",
    `  return (await gl.computeOpsMgmt.${call.method}(${JSON.stringify(call.path)}${callArguments(call)})).data;`,
    "}",
    "",
  ].join("\n");
}

function oneServiceThroughEntry(call: Call): string {
  return [
    'import { createComputeOpsMgmtClient } from "greenlake-sdk/compute-ops-mgmt";',
    "",
    "export async function callOneService(): Promise<unknown> {",
    `  return (await createComputeOpsMgmtClient().${call.method}(${JSON.stringify(call.path)}${callArguments(call)})).data;`,
    "}",
    "",
  ].join("\n");
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

interface TscRun {
  seconds: number;
  memoryMb: number;
  errorLines: Set<number>;
  output: string;
}

/** Runs tsc with --extendedDiagnostics; returns wall seconds, the compiler's memory figure and the lines (1-based) that had errors. */
function runTsc(configPath: string): TscRun {
  const started = performance.now();
  let output = "";
  try {
    output = execFileSync(process.execPath, [tsc, "-p", configPath, "--pretty", "false", "--extendedDiagnostics"], { cwd: workDir, encoding: "utf8" });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  const seconds = (performance.now() - started) / 1000;
  const errorLines = new Set([...output.matchAll(/\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])));
  const memoryKb = Number(/Memory used:\s+(\d+)K/.exec(output)?.[1] ?? NaN);
  return { seconds, memoryMb: memoryKb / 1024, errorLines, output };
}

/** Picks, per service, an operation whose call compiles with the generated arguments. */
function chooseCalls(services: ReadonlyMap<string, ServiceMetadata>): Map<string, Call> {
  const options = new Map([...services].map(([key, m]) => [key, candidates(m)]));
  const calls = new Map<string, Call>();
  for (const [key, ops] of options) calls.set(key, { ...ops[0]!, loose: false });
  const firstCallLine = 5;
  for (let attempt = 0; ; attempt++) {
    const { errorLines, output } = runTsc(writeProject("all-root", rootConsumer(calls)));
    if (errorLines.size === 0) return calls;
    if (attempt === 4) throw new Error(`typecheck bench: consumer file does not compile:\n${output}`);
    [...calls.keys()].forEach((key, i) => {
      if (!errorLines.has(firstCallLine + i)) return;
      const current = calls.get(key)!;
      const ops = options.get(key)!;
      const next = ops[ops.findIndex((o) => o.method === current.method && o.path === current.path) + 1];
      calls.set(key, next && attempt < 3 ? { ...next, loose: false } : { ...current, loose: true });
    });
  }
}

const CONSUMERS = ["empty", "one-service-root", "one-service-entry", "all-root", "all-openapi-fetch"] as const;
type Consumer = (typeof CONSUMERS)[number];

export const typecheck: Figure = {
  name: "typecheck",
  async run({ runs, progress }) {
    const index = (await import("../generated/services/index.js")) as { serviceKeys: readonly string[]; serviceMetadata: Record<string, ServiceMetadata> };
    const services = new Map(index.serviceKeys.map((k) => [k, index.serviceMetadata[k]!]));
    progress("typecheck: choosing one operation per service");
    const calls = chooseCalls(services);
    const com = calls.get("compute-ops-mgmt")!;
    const configs: Record<Consumer, string> = {
      empty: writeProject("empty", "export {};\n"),
      "one-service-root": writeProject("one-service-root", oneServiceThroughRoot(com)),
      "one-service-entry": writeProject("one-service-entry", oneServiceThroughEntry(com)),
      "all-root": writeProject("all-root", rootConsumer(calls)),
      "all-openapi-fetch": writeProject("all-openapi-fetch", openapiFetchConsumer(calls)),
    };
    const values = await repeat(runs, async (run) => {
      progress(`typecheck, run ${run + 1} of ${runs}`);
      const r = {} as Record<Consumer, TscRun>;
      for (const c of CONSUMERS) {
        r[c] = runTsc(configs[c]);
        if (r[c].errorLines.size > 0) throw new Error(`typecheck bench: ${c} does not compile:\n${r[c].output}`);
      }
      const out: Record<string, number> = {
        "typecheck one service: root / entry": r["one-service-root"].seconds / r["one-service-entry"].seconds,
        "typecheck all services: root / openapi-fetch": r["all-root"].seconds / r["all-openapi-fetch"].seconds,
      };
      for (const c of CONSUMERS) {
        out[`typecheck ${c} s`] = r[c].seconds;
        out[`typecheck ${c} MiB`] = r[c].memoryMb;
      }
      return out;
    });
    return {
      metrics: Object.entries(values).map(([name, v]) => ({
        name,
        unit: name.endsWith(" s") ? "s" : name.endsWith(" MiB") ? "MiB" : "ratio",
        runs: v,
        target: name === "typecheck one service: root / entry" ? { op: "<=" as const, value: 1.15 } : undefined,
      })),
      details: { operations: [...calls].map(([k, c]) => `${k} ${c.method} ${c.path}${c.loose ? " (arguments waived)" : ""}`) },
    };
  },
};

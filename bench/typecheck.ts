/**
 * Type-checking cost for consumers of the built declarations (`tsc --noEmit`,
 * skipLibCheck): one service through the root `GreenLake` against the same
 * call through the per-service entry, and one call to every service through
 * the root against bare openapi-fetch over the same generated paths (the
 * one-service pair alternates three times per run, each side the median).
 * Beside the pair, its floor: the entry's call with every other service's
 * generated types in the program too, which the root cannot do without as
 * it types every service (the floor alternates with the pair). Each
 * `tsc` is measured as its user pays it: CPU time and peak RSS of the whole
 * process (the target is judged on CPU time, which neighbours on a busy
 * machine disturb least), beside wall time and the compiler's heap figure.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { ServiceMetadata } from "../src/metadata.js";
import { repoRoot } from "../scripts/package-layout.js";
import { median, repeat, type Figure } from "./figure.js";

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

/**
 * The floor of the root's cost: the same call through the entry, with every
 * other service's generated types in the program too (read directly from the
 * built declarations), as the root must have them to type every service.
 */
function oneServiceWithEveryServiceTypes(call: Call): string {
  const typesDir = join(repoRoot, "dist/cjs/generated/types");
  const others = readdirSync(typesDir).filter((f) => f.endsWith(".d.ts") && !f.startsWith("compute-ops-mgmt"));
  const imports = others.map((f, i) => `import type * as Types${i} from ${JSON.stringify(relative(workDir, join(typesDir, f.replace(/\.d\.ts$/, ".js"))))};`);
  return [...imports, "", oneServiceThroughEntry(call)].join("\n");
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

/** What one `tsc` process cost, as the user running it pays it. */
interface TscRun {
  /** Wall time from spawn to exit. */
  seconds: number;
  /** User + system CPU time of the process: what it costs on a busy machine, where wall time mostly measures the neighbours. */
  cpuSeconds: number;
  /** Peak resident set size of the process. */
  rssMb: number;
  /** The compiler's own `Memory used` (heap) figure. */
  memoryMb: number;
  /** How much work the checker did, and how much it had to read: `--extendedDiagnostics` counts. */
  counts: Record<"files" | "definitionLines" | "types" | "instantiations", number>;
  errorLines: Set<number>;
  output: string;
}

// Preloaded into tsc's process: reports its CPU time and peak RSS at exit (Node has no rusage for a child).
const USAGE_MARK = "tsc-usage:";
const usageProbe = join(workDir, "usage-probe.cjs");
const USAGE_PROBE = `process.on("exit", () => {
  const u = process.resourceUsage();
  process.stderr.write("\\n${USAGE_MARK}" + JSON.stringify({ cpuUs: u.userCPUTime + u.systemCPUTime, maxRssKb: u.maxRSS }) + "\\n");
});
`;

function diagnostic(output: string, label: string): number {
  return Number(new RegExp(`^${label}:\\s+(\\d+)`, "m").exec(output)?.[1] ?? NaN);
}

/** Runs tsc with --extendedDiagnostics; returns its cost and the lines (1-based) that had errors. */
function runTsc(configPath: string): TscRun {
  mkdirSync(workDir, { recursive: true });
  writeFileSync(usageProbe, USAGE_PROBE);
  const started = performance.now();
  const result = spawnSync(process.execPath, ["--require", usageProbe, tsc, "-p", configPath, "--pretty", "false", "--extendedDiagnostics"], {
    cwd: workDir,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  const output = result.stdout ?? "";
  const usageLine = (result.stderr ?? "").split("\n").find((line) => line.startsWith(USAGE_MARK));
  if (usageLine === undefined) throw new Error(`typecheck bench: tsc reported no resource usage (exit ${result.status}):\n${result.stderr}${output}`);
  const usage = JSON.parse(usageLine.slice(USAGE_MARK.length)) as { cpuUs: number; maxRssKb: number };
  const errorLines = new Set([...output.matchAll(/\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])));
  return {
    seconds,
    cpuSeconds: usage.cpuUs / 1e6,
    rssMb: usage.maxRssKb / 1024,
    memoryMb: diagnostic(output, "Memory used") / 1024,
    counts: {
      files: diagnostic(output, "Files"),
      definitionLines: diagnostic(output, "Lines of Definitions"),
      types: diagnostic(output, "Types"),
      instantiations: diagnostic(output, "Instantiations"),
    },
    errorLines,
    output,
  };
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

const CONSUMERS = ["empty", "one-service-root", "one-service-entry", "one-service-entry-every-types", "all-root", "all-openapi-fetch"] as const;
type Consumer = (typeof CONSUMERS)[number];

/** The target figure: CPU time of `tsc` (user + system), which load from other processes disturbs least. */
const ONE_SERVICE_CPU = "typecheck one service: root / entry, CPU";
/** The floor of the target: what every service's generated types cost the entry's call, with nothing of the root. */
const FLOOR_CPU = "typecheck one service: (entry + every service's types) / entry, CPU";
/** Samples of each side of the target's pair per run. */
const PAIR_SAMPLES = 3;

/** Each figure's median over samples of one consumer. */
function medianRun(samples: readonly TscRun[]): TscRun {
  return {
    ...samples[0]!,
    seconds: median(samples.map((s) => s.seconds)),
    cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
    rssMb: median(samples.map((s) => s.rssMb)),
    memoryMb: median(samples.map((s) => s.memoryMb)),
  };
}

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
      "one-service-entry-every-types": writeProject("one-service-entry-every-types", oneServiceWithEveryServiceTypes(com)),
      "all-root": writeProject("all-root", rootConsumer(calls)),
      "all-openapi-fetch": writeProject("all-openapi-fetch", openapiFetchConsumer(calls)),
    };
    const counts = {} as Record<Consumer, TscRun["counts"]>;
    const values = await repeat(runs, async (run) => {
      progress(`typecheck, run ${run + 1} of ${runs}`);
      const samples = new Map<Consumer, TscRun[]>(CONSUMERS.map((c) => [c, []]));
      // Rotating order, so load drifting during a run does not always fall on the same consumer;
      // the target's pair and its floor alternate PAIR_SAMPLES times and each side is the median of its samples.
      const order = CONSUMERS.map((_, i) => CONSUMERS[(i + run) % CONSUMERS.length]!);
      const trio = ["one-service-entry", "one-service-root", "one-service-entry-every-types"] as const;
      for (let i = 1; i < PAIR_SAMPLES; i++) order.push(...trio.map((_, k) => trio[(i + k) % trio.length]!));
      for (const c of order) {
        const result = runTsc(configs[c]);
        if (result.errorLines.size > 0) throw new Error(`typecheck bench: ${c} does not compile:\n${result.output}`);
        samples.get(c)!.push(result);
        counts[c] = result.counts;
      }
      const r = Object.fromEntries(CONSUMERS.map((c) => [c, medianRun(samples.get(c)!)])) as Record<Consumer, TscRun>;
      const root = r["one-service-root"];
      const entry = r["one-service-entry"];
      const out: Record<string, number> = {
        [ONE_SERVICE_CPU]: root.cpuSeconds / entry.cpuSeconds,
        "typecheck one service: root / entry, peak RSS": root.rssMb / entry.rssMb,
        "typecheck one service: root / entry, compiler heap": root.memoryMb / entry.memoryMb,
        "typecheck one service: root / entry, wall": root.seconds / entry.seconds,
        [FLOOR_CPU]: r["one-service-entry-every-types"].cpuSeconds / entry.cpuSeconds,
        "typecheck one service: root / (entry + every service's types), CPU": root.cpuSeconds / r["one-service-entry-every-types"].cpuSeconds,
        "typecheck all services: root / openapi-fetch, CPU": r["all-root"].cpuSeconds / r["all-openapi-fetch"].cpuSeconds,
        "typecheck all services: root / openapi-fetch, peak RSS": r["all-root"].rssMb / r["all-openapi-fetch"].rssMb,
      };
      for (const c of CONSUMERS) {
        out[`typecheck ${c} CPU s`] = r[c].cpuSeconds;
        out[`typecheck ${c} wall s`] = r[c].seconds;
        out[`typecheck ${c} peak RSS MiB`] = r[c].rssMb;
        out[`typecheck ${c} heap MiB`] = r[c].memoryMb;
      }
      return out;
    });
    return {
      metrics: Object.entries(values).map(([name, v]) => ({
        name,
        unit: name.endsWith(" s") ? "s" : name.endsWith(" MiB") ? "MiB" : "ratio",
        runs: v,
        target: name === ONE_SERVICE_CPU ? { op: "<=" as const, value: 1.15 } : undefined,
      })),
      details: {
        operations: [...calls].map(([k, c]) => `${k} ${c.method} ${c.path}${c.loose ? " (arguments waived)" : ""}`),
        // Deterministic: what the compiler read (files, lines of declarations) and what the checker built (types, instantiations).
        counts,
      },
      notes: [
        `typecheck counts (files / declaration lines / types / instantiations): ` +
          CONSUMERS.map((c) => `${c} ${counts[c].files} / ${counts[c].definitionLines} / ${counts[c].types} / ${counts[c].instantiations}`).join("; "),
      ],
    };
  },
};

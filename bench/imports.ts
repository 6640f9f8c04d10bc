/**
 * Cold import time of a module specifier. Each sample is a fresh node process
 * running a module file (not `-e`, whose evaluation adds loader start-up to
 * every figure) that times one dynamic `import()` of the built package.
 * With BENCH_BASELINE set (bench/baseline.ts), the baseline's root is sampled
 * in the same rounds.
 */
import { baseline } from "./baseline.js";
import { repeat, median, type Figure } from "./figure.js";
import { moduleFile, timedNode } from "./processes.js";

// Wall time, and the CPU time of the process (all its threads) over the import: on a busy machine the
// wall time mostly measures waiting for a core, the CPU time what loading the module costs.
const PROBE =
  "const t = performance.now();\nconst c = process.cpuUsage();\nawait import(process.argv[2]);\nconst u = process.cpuUsage(c);\n" +
  "process.stdout.write(`${performance.now() - t} ${(u.user + u.system) / 1000}`);\n";
const SAMPLES = 10;

const ROOT = "greenlake-sdk";
const SPECIFIERS = [ROOT, `${ROOT}/compute-ops-mgmt`, "openapi-fetch", "simple-oauth2", "undici"];
/** The baseline's root, named apart from the current one. */
const BASELINE_ROOT = `${ROOT} (baseline)`;

/**
 * Median cold import time (ms, wall and CPU) per specifier, sampling them in interleaved rounds; `probes` maps a
 * specifier to the probe importing it.
 */
export async function measureImports(
  specifiers: readonly string[],
  samples: number,
  probes: ReadonlyMap<string, { file: string; specifier: string }> = new Map(),
): Promise<Map<string, { wall: number; cpu: number }>> {
  const probe = moduleFile("import-probe.mjs", PROBE);
  const sample = (s: string) => {
    const p = probes.get(s);
    return p ? timedNode(p.file, [p.specifier]) : timedNode(probe, [s]);
  };
  const values = new Map(specifiers.map((s) => [s, { wall: [] as number[], cpu: [] as number[] }]));
  for (const s of specifiers) await sample(s); // file system cache, not recorded
  for (let r = 0; r < samples; r++) {
    for (const s of specifiers) {
      const [wall, cpu] = (await sample(s)).stdout.split(" ").map(Number);
      values.get(s)!.wall.push(wall!);
      values.get(s)!.cpu.push(cpu!);
    }
  }
  return new Map([...values].map(([s, v]) => [s, { wall: median(v.wall), cpu: median(v.cpu) }]));
}

export const imports: Figure = {
  name: "imports",
  async run({ runs, progress }) {
    const baselineDir = baseline();
    const probes = new Map<string, { file: string; specifier: string }>();
    if (baselineDir) probes.set(BASELINE_ROOT, { file: moduleFile("import-probe.mjs", PROBE, baselineDir), specifier: ROOT });
    const specifiers = baselineDir ? [...SPECIFIERS, BASELINE_ROOT] : SPECIFIERS;
    const values = await repeat(runs, async (run) => {
      progress(`cold imports, run ${run + 1} of ${runs}`);
      const ms = await measureImports(specifiers, SAMPLES, probes);
      const openapiFetch = ms.get("openapi-fetch")!;
      const out: Record<string, number> = {
        "import root / openapi-fetch": ms.get(ROOT)!.wall / openapiFetch.wall,
        "import root / openapi-fetch, CPU time": ms.get(ROOT)!.cpu / openapiFetch.cpu,
      };
      if (baselineDir) {
        out["import root / openapi-fetch (baseline)"] = ms.get(BASELINE_ROOT)!.wall / openapiFetch.wall;
        out["import root / openapi-fetch, CPU time (baseline)"] = ms.get(BASELINE_ROOT)!.cpu / openapiFetch.cpu;
      }
      for (const [s, v] of ms) out[`import ${s}`] = v.wall;
      for (const [s, v] of ms) out[`import ${s}, CPU time`] = v.cpu;
      return out;
    });
    return {
      metrics: Object.entries(values).map(([name, v]) => ({
        name,
        unit: name.includes(" / ") ? "ratio" : "ms",
        runs: v,
        target: name === "import root / openapi-fetch" ? { op: "<=" as const, value: 2.5 } : undefined,
      })),
      details: { samples_per_run: SAMPLES, baseline: baselineDir ? process.env.BENCH_BASELINE : undefined },
    };
  },
};

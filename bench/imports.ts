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

const PROBE = "const t = performance.now();\nawait import(process.argv[2]);\nprocess.stdout.write(String(performance.now() - t));\n";
const SAMPLES = 10;

const ROOT = "greenlake-sdk";
const SPECIFIERS = [ROOT, `${ROOT}/compute-ops-mgmt`, "openapi-fetch", "simple-oauth2", "undici"];
/** The baseline's root, named apart from the current one. */
const BASELINE_ROOT = `${ROOT} (baseline)`;

/** Median cold import time (ms) per specifier, sampling them in interleaved rounds; `probes` maps a specifier to the probe importing it. */
export async function measureImports(specifiers: readonly string[], samples: number, probes: ReadonlyMap<string, { file: string; specifier: string }> = new Map()): Promise<Map<string, number>> {
  const probe = moduleFile("import-probe.mjs", PROBE);
  const sample = (s: string) => {
    const p = probes.get(s);
    return p ? timedNode(p.file, [p.specifier]) : timedNode(probe, [s]);
  };
  const values = new Map(specifiers.map((s) => [s, [] as number[]]));
  for (const s of specifiers) await sample(s); // file system cache, not recorded
  for (let r = 0; r < samples; r++) {
    for (const s of specifiers) values.get(s)!.push(Number((await sample(s)).stdout));
  }
  return new Map([...values].map(([s, v]) => [s, median(v)]));
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
      const out: Record<string, number> = { "import root / openapi-fetch": ms.get(ROOT)! / ms.get("openapi-fetch")! };
      if (baselineDir) out["import root / openapi-fetch (baseline)"] = ms.get(BASELINE_ROOT)! / ms.get("openapi-fetch")!;
      for (const [s, v] of ms) out[`import ${s}`] = v;
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

/**
 * Cold import time of a module specifier. Each sample is a fresh node process
 * running a module file (not `-e`, whose evaluation adds loader start-up to
 * every figure) that times one dynamic `import()` of the built package.
 */
import { repeat, median, type Figure } from "./figure.js";
import { moduleFile, timedNode } from "./processes.js";

const PROBE = "const t = performance.now();\nawait import(process.argv[2]);\nprocess.stdout.write(String(performance.now() - t));\n";
const SAMPLES = 10;

const ROOT = "greenlake-sdk";
const SPECIFIERS = [ROOT, `${ROOT}/compute-ops-mgmt`, "openapi-fetch", "simple-oauth2", "undici"];

/** Median cold import time (ms) per specifier, sampling them in interleaved rounds. */
export async function measureImports(specifiers: readonly string[], samples: number): Promise<Map<string, number>> {
  const probe = moduleFile("import-probe.mjs", PROBE);
  const values = new Map(specifiers.map((s) => [s, [] as number[]]));
  for (const s of specifiers) await timedNode(probe, [s]); // file system cache, not recorded
  for (let r = 0; r < samples; r++) {
    for (const s of specifiers) values.get(s)!.push(Number((await timedNode(probe, [s])).stdout));
  }
  return new Map([...values].map(([s, v]) => [s, median(v)]));
}

export const imports: Figure = {
  name: "imports",
  async run({ runs, progress }) {
    const values = await repeat(runs, async (run) => {
      progress(`cold imports, run ${run + 1} of ${runs}`);
      const ms = await measureImports(SPECIFIERS, SAMPLES);
      const out: Record<string, number> = { "import root / openapi-fetch": ms.get(ROOT)! / ms.get("openapi-fetch")! };
      for (const [s, v] of ms) out[`import ${s}`] = v;
      return out;
    });
    return {
      metrics: Object.entries(values).map(([name, v]) => ({
        name,
        unit: name.includes(" / ") ? "ratio" : "ms",
        runs: v,
        target: name === "import root / openapi-fetch" ? { op: "<=" as const, value: 2 } : undefined,
      })),
      details: { samples_per_run: SAMPLES },
    };
  },
};

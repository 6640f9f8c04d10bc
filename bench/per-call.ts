/**
 * Per-call latency on the generated server page (~22 KB) and on one small
 * server item, sequential and at 32 in flight, every contender in the same
 * interleaved rounds of the same process.
 */
import {
  SDK,
  axiosContender,
  fetchContender,
  openapiFetchContender,
  sdkClient,
  sdkContender,
  undiciContender,
  type Call,
} from "./contenders.js";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { median, repeat, type Figure, type Metric, type Sdk } from "./figure.js";
import { measureLatency, medianRoundRatio, pooledMedian, type Contender } from "./latency.js";
import { ITEM_PATH, PAGE_PATH, buildPayloads } from "./payload.js";

const PLAN = { rounds: 12, sequentialCalls: 100, inFlight: 32, callsPerWorker: 4, warmupCalls: 200 };
// The SDK with `fetch: globalThis.fetch` given explicitly: the cost when the caller supplies its own fetch.
const SDK_USER_FETCH = "greenlake-sdk (fetch: globalThis.fetch)";
// Another build of the package beside this one, in the same rounds: BENCH_BASELINE names a directory
// holding its package.json and dist/ (e.g. a copy of dist/ made before a change).
const BASELINE = "greenlake-sdk (baseline)";
const baselineDir = process.env.BENCH_BASELINE;

async function loadBaseline(): Promise<Sdk | undefined> {
  if (!baselineDir) return undefined;
  return (await import(pathToFileURL(join(resolve(baselineDir), "dist/esm/src/index.js")).href)) as Sdk;
}

const CALLS: Record<"page" | "item", Call> = {
  page: { template: PAGE_PATH, path: PAGE_PATH, query: { limit: 100 } },
  item: { template: ITEM_PATH, path: ITEM_PATH.replace("{id}", "P12345-B21+2M000000A1"), pathParams: { id: "P12345-B21+2M000000A1" } },
};

const RATIOS: [string, string][] = [
  [SDK, "fetch"],
  [SDK, "undici.request"],
  ...(baselineDir ? ([[BASELINE, "fetch"], [BASELINE, "undici.request"], [SDK, BASELINE]] as [string, string][]) : []),
  [SDK, "openapi-fetch"],
  ["openapi-fetch", "fetch"],
  ["axios", "fetch"],
  ["fetch", "undici.request"],
  [SDK_USER_FETCH, "fetch"],
];

const TARGETS: Record<string, number> = { [`${SDK} / fetch`]: 0.9 };

export const perCall: Figure = {
  name: "per-call",
  async run({ sdk, stub, runs, progress }) {
    const baseline = await loadBaseline();
    const payloads = buildPayloads();
    await stub.serveBodies({ page: payloads.page, item: payloads.item, pagePath: PAGE_PATH });
    // Warm the SDK's token before timing: the figure is the cached-token path.
    await sdkClient(sdk, stub).computeOpsMgmt.GET(PAGE_PATH, { params: { query: { limit: 1 } } });
    const metrics: Metric[] = [];
    const latencyUs: Record<string, Record<string, number[]>> = {};
    for (const [kind, call] of Object.entries(CALLS)) {
      const contenders: Contender[] = [
        undiciContender(stub.baseUrl, call),
        fetchContender(stub.baseUrl, call),
        openapiFetchContender(stub.baseUrl, call),
        axiosContender(stub.baseUrl, call),
        sdkContender(sdk, stub, call),
        sdkContender(sdk, stub, call, SDK_USER_FETCH, { fetch: globalThis.fetch }),
        ...(baseline ? [sdkContender(baseline, stub, call, BASELINE)] : []),
      ];
      const values = await repeat(runs, async (run) => {
        progress(`per-call latency, ${kind} (${kind === "page" ? payloads.page.length : payloads.item.length} bytes), run ${run + 1} of ${runs}`);
        const samples = await measureLatency(contenders, PLAN);
        const out: Record<string, number> = {};
        for (const mode of ["sequential", "concurrent"] as const) {
          const label = mode === "sequential" ? "sequential" : "32 in flight";
          for (const [a, b] of RATIOS) out[`${kind} ${label}: ${a} / ${b}`] = medianRoundRatio(samples[mode].get(a)!, samples[mode].get(b)!);
          for (const c of contenders) out[`${kind} ${label} µs: ${c.name}`] = pooledMedian(samples[mode].get(c.name)!) * 1000;
          // The SDK's own cost per call above the floor, in microseconds (the ratio hides how small or large it is).
          for (const sdkName of baseline ? [SDK, BASELINE] : [SDK]) {
            out[`${kind} ${label} over: ${sdkName} - undici.request`] = (pooledMedian(samples[mode].get(sdkName)!) - pooledMedian(samples[mode].get("undici.request")!)) * 1000;
          }
        }
        return out;
      });
      for (const [name, runValues] of Object.entries(values)) {
        if (name.includes(" µs: ")) {
          (latencyUs[kind] ??= {})[name.slice(kind.length + 1)] = runValues.map((v) => Math.round(v));
          continue;
        }
        if (name.includes(" over: ")) {
          metrics.push({ name: name.replace(" over: ", ": ") + " (µs per call)", unit: "µs", runs: runValues });
          continue;
        }
        const ratio = name.slice(name.indexOf(": ") + 2);
        metrics.push({ name, unit: "ratio", runs: runValues, target: kind === "page" && TARGETS[ratio] ? { op: "<=", value: TARGETS[ratio] } : undefined });
      }
    }
    return {
      metrics,
      details: {
        payload_bytes: { page: payloads.page.length, item: payloads.item.length, items_per_page: payloads.itemsPerPage },
        median_latency_us_per_run: latencyUs,
        plan: PLAN,
      },
      notes: [
        `per-call: moonshot ${SDK} / fetch <= 0.75 on the page; latest median ${median(metrics.find((m) => m.name === `page sequential: ${SDK} / fetch`)!.runs).toFixed(3)} sequential`,
      ],
    };
  },
};

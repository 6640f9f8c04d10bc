/**
 * A loop of SDK calls against the bench's stub server, for profiling one
 * call's CPU and allocations (not a figure: nothing here is compared).
 *
 *   tsx bench/profile-call.ts [--sdk DIR] [--calls N] [--in-flight K] [--item]
 *   node --cpu-prof --import tsx bench/profile-call.ts ...
 *
 * `--sdk DIR` loads a built package's ESM root from DIR (default: dist/ of
 * this tree, as `npm run build` writes it). Prints µs per call and, from V8's
 * GC statistics, bytes allocated per call.
 */
import { PerformanceObserver } from "node:perf_hooks";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { getHeapStatistics } from "node:v8";
import { repoRoot } from "../scripts/package-layout.js";
import { sdkContender, undiciContender, type Call } from "./contenders.js";
import type { Sdk } from "./figure.js";
import { ITEM_PATH, PAGE_PATH, buildPayloads } from "./payload.js";
import { startStub } from "./stub-client.js";

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

const sdkDir = resolve(option("--sdk", repoRoot));
const calls = Number(option("--calls", "20000"));
const inFlight = Number(option("--in-flight", "1"));
const item = process.argv.includes("--item");
const contenderName = option("--contender", "sdk");

const call: Call = item
  ? { template: ITEM_PATH, path: ITEM_PATH.replace("{id}", "P1"), pathParams: { id: "P1" } }
  : { template: PAGE_PATH, path: PAGE_PATH, query: { limit: 100 } };

/**
 * Bytes of JS heap one call allocates: the growth of the used heap over a
 * batch of calls during which no GC ran (start node with a large
 * --max-semi-space-size so a batch fits); undefined if every batch saw a GC.
 */
async function allocatedPerCall(loop: (n: number) => Promise<void>): Promise<number | undefined> {
  const batch = 200;
  let gcs = 0;
  const observer = new PerformanceObserver((list) => (gcs += list.getEntries().length));
  observer.observe({ entryTypes: ["gc"] });
  try {
    let best: number | undefined;
    for (let tries = 0; tries < 20; tries++) {
      await new Promise((r) => setImmediate(r));
      const seen = gcs;
      const before = getHeapStatistics().used_heap_size;
      await loop(batch);
      const after = getHeapStatistics().used_heap_size;
      await new Promise((r) => setImmediate(r));
      if (process.env.DEBUG_ALLOC) console.error(gcs - seen, after - before);
      if (gcs !== seen) continue;
      const perCall = (after - before) / batch;
      best = best === undefined ? perCall : Math.min(best, perCall);
    }
    return best;
  } finally {
    observer.disconnect();
  }
}

async function main(): Promise<void> {
  const sdk = (await import(pathToFileURL(join(sdkDir, "dist/esm/src/index.js")).href)) as Sdk;
  const stub = await startStub();
  try {
    const payloads = buildPayloads();
    await stub.serveBodies({ page: payloads.page, item: payloads.item, pagePath: PAGE_PATH });
    const contender = contenderName === "undici" ? undiciContender(stub.baseUrl, call) : sdkContender(sdk, stub, call);
    const loop = async (n: number) => {
      const worker = async () => {
        for (let i = 0; i < n / inFlight; i++) await contender.call();
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    };
    await loop(Math.min(2000, calls));
    const allocated = await allocatedPerCall(loop);
    let gcs = 0;
    const observer = new PerformanceObserver((list) => (gcs += list.getEntries().length));
    observer.observe({ entryTypes: ["gc"] });
    const started = performance.now();
    const cpu = process.cpuUsage();
    await loop(calls);
    const used = process.cpuUsage(cpu);
    const ms = performance.now() - started;
    observer.disconnect();
    console.log(
      `${contenderName} ${item ? "item" : "page"} x${calls} in flight ${inFlight}: ${((ms * 1000) / calls).toFixed(1)} µs wall, ` +
        `${((used.user + used.system) / calls).toFixed(1)} µs CPU per call (client process), ${gcs} GCs` +
        (allocated === undefined ? "" : `, ${allocated.toFixed(0)} B of JS heap allocated per call`),
    );
  } finally {
    await stub.stop();
  }
}

void main();

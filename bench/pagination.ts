/**
 * Streaming a long paged list: the same items fetched one page at a time and
 * with several pages in flight, against a stub that delays every page and
 * prepares only a bounded number of pages at once.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { OperationMetadata, ServiceMetadata } from "../src/metadata.js";
import { sdkClient } from "./contenders.js";
import { median, repeat, type Figure } from "./figure.js";
import type { Stub } from "./stub-client.js";

export interface PagedOperation {
  service: string;
  operation: OperationMetadata;
}

/** An offset-paged GET without path parameters that allows pages of `pageSize` items. */
export function pickPagedOperation(services: ReadonlyMap<string, ServiceMetadata>, pageSize: number): PagedOperation {
  for (const [service, metadata] of [...services].sort(([a], [b]) => a.localeCompare(b))) {
    for (const operation of metadata.operations) {
      const p = operation.pagination;
      if (operation.method !== "get" || operation.path.includes("{") || p?.style !== "offset-items") continue;
      // A stated rate limit paces the listing whatever its concurrency: this figure measures concurrency.
      if ((operation.rateLimits?.length ?? 0) > 0) continue;
      if ((p.maxPageSize ?? Infinity) >= pageSize) return { service, operation };
    }
  }
  throw new Error(`pagination bench: no offset-paged GET accepts pages of ${pageSize} items`);
}

function forceGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

type Paginate = (client: any, path: any, init: any, options: { concurrency?: number; pageSize?: number }) => AsyncIterable<unknown>;

export interface PaginationPlan {
  totalItems: number;
  pageSize: number;
  pageDelayMs: number;
  /** Pages the stub prepares at once; further requests queue, as on a real server. */
  serverConcurrency: number;
  /** Pages the client keeps in flight in the concurrent runs. */
  clientConcurrency: number;
  /** Sequential/concurrent pairs per run, alternating, after one unrecorded warm-up of each. */
  pairs: number;
}

export interface PaginationRun {
  sequentialS: number;
  concurrentS: number;
  speedup: number;
  heapGrowthMb: number;
}

async function loadPagedRoute(stub: Stub, paged: PagedOperation, plan: PaginationPlan): Promise<void> {
  await stub.servePages({
    path: paged.operation.path,
    pagination: paged.operation.pagination!,
    totalItems: plan.totalItems,
    delayMs: plan.pageDelayMs,
    maxPageSize: plan.pageSize,
    maxConcurrentPages: plan.serverConcurrency,
  });
}

/** One run: the sequential baseline, warm, alternating with the concurrent runs; medians of each. */
export async function measurePagination(
  stub: Stub,
  paginate: Paginate,
  client: unknown,
  paged: PagedOperation,
  plan: PaginationPlan,
): Promise<PaginationRun> {
  await loadPagedRoute(stub, paged, plan);
  const gc = forceGc();
  let peakHeap = 0;
  const stream = async (concurrency: number) => {
    let count = 0;
    const started = performance.now();
    for await (const _item of paginate(client, paged.operation.path, {}, { concurrency, pageSize: plan.pageSize })) {
      if (++count % plan.pageSize === 0) peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
    }
    if (count !== plan.totalItems) throw new Error(`pagination bench: streamed ${count} items, expected ${plan.totalItems}`);
    return (performance.now() - started) / 1000;
  };
  // Warm-up of both paths: connections, JIT and the token, so neither side pays a first run.
  await stream(1);
  await stream(plan.clientConcurrency);
  gc();
  const baseline = getHeapStatistics().used_heap_size;
  const sequential: number[] = [];
  const concurrent: number[] = [];
  for (let pair = 0; pair < plan.pairs; pair++) {
    if (pair % 2 === 0) {
      sequential.push(await stream(1));
      concurrent.push(await stream(plan.clientConcurrency));
    } else {
      concurrent.push(await stream(plan.clientConcurrency));
      sequential.push(await stream(1));
    }
  }
  await stub.servePages(null);
  const sequentialS = median(sequential);
  const concurrentS = median(concurrent);
  return { sequentialS, concurrentS, speedup: sequentialS / concurrentS, heapGrowthMb: Math.max(0, peakHeap - baseline) / 2 ** 20 };
}

const PLAN: PaginationPlan = { totalItems: 30_000, pageSize: 1_000, pageDelayMs: 20, serverConcurrency: 4, clientConcurrency: 8, pairs: 3 };

export const pagination: Figure = {
  name: "pagination",
  async run({ sdk, stub, runs, progress }) {
    const paginate = (sdk as { paginate?: unknown }).paginate;
    if (typeof paginate !== "function") return { metrics: [], notes: ["pagination: the package exports no paginate(); not measured"] };
    const index = (await import("../generated/services/index.js")) as { serviceKeys: readonly string[]; serviceMetadata: Record<string, ServiceMetadata> };
    const services = new Map(index.serviceKeys.map((k) => [k, index.serviceMetadata[k]!]));
    const paged = pickPagedOperation(services, PLAN.pageSize);
    const client = sdkClient(sdk, stub).service(paged.service as never);
    const values = await repeat(runs, async (run) => {
      progress(`pagination, run ${run + 1} of ${runs}`);
      const r = await measurePagination(stub, paginate as Paginate, client, paged, PLAN);
      return { speedup: r.speedup, sequential_s: r.sequentialS, concurrent_s: r.concurrentS, heap_growth_mb: r.heapGrowthMb };
    });
    const ideal = Math.min(PLAN.serverConcurrency, PLAN.clientConcurrency);
    return {
      metrics: [
        {
          name: `pagination speedup (client ${PLAN.clientConcurrency} in flight, server ${PLAN.serverConcurrency} at once)`,
          unit: "x",
          runs: values.speedup,
          // The server's bound is the ceiling; most of it should be reached.
          target: { op: ">=", value: ideal * 0.8 },
          about: `sequential / concurrent time for ${PLAN.totalItems} items, ${PLAN.pageSize} per page, ${PLAN.pageDelayMs} ms per page`,
        },
        { name: "pagination sequential", unit: "s", runs: values.sequential_s },
        { name: "pagination concurrent", unit: "s", runs: values.concurrent_s },
        { name: "pagination heap growth", unit: "MiB", runs: values.heap_growth_mb, target: { op: "<=", value: 50 } },
      ],
      details: { operation: `${paged.service} GET ${paged.operation.path}`, plan: PLAN },
    };
  },
};

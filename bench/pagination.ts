/**
 * Streaming a long paged list: the same 100 000 items fetched one page at a
 * time and with 8 pages in flight, against a stub that delays every page.
 */
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { OperationMetadata, ServiceMetadata } from "../src/metadata.js";
import type { Stub } from "./stub-client.js";

export interface PagedOperation {
  service: string;
  operation: OperationMetadata;
}

export interface PaginationResult {
  operation: string;
  items: number;
  pageSize: number;
  pageDelayMs: number;
  sequentialS: number;
  concurrentS: number;
  speedup: number;
  heapGrowthMb: number;
  /** Peak growth over the first tenth of the first run: close to heapGrowthMb when the heap stays flat. */
  heapGrowthFirstTenthMb: number;
  /** Growth left after both runs and a collection: what streaming retained. */
  heapRetainedMb: number;
}

/** An offset-paged GET without path parameters that allows pages of `pageSize` items. */
export function pickPagedOperation(services: ReadonlyMap<string, ServiceMetadata>, pageSize: number): PagedOperation {
  for (const [service, metadata] of [...services].sort(([a], [b]) => a.localeCompare(b))) {
    for (const operation of metadata.operations) {
      const p = operation.pagination;
      if (operation.method !== "get" || operation.path.includes("{") || p?.style !== "offset-items") continue;
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

export async function measurePagination(
  stub: Stub,
  paginate: Paginate,
  client: unknown,
  paged: PagedOperation,
  plan: { totalItems: number; pageSize: number; pageDelayMs: number },
): Promise<PaginationResult> {
  const { operation } = paged;
  await stub.servePages({
    path: operation.path,
    pagination: operation.pagination!,
    totalItems: plan.totalItems,
    delayMs: plan.pageDelayMs,
    maxPageSize: plan.pageSize,
  });
  const gc = forceGc();
  let peakHeap = 0;
  let peakFirstTenth = 0;
  const stream = async (concurrency: number) => {
    let count = 0;
    const started = performance.now();
    for await (const _item of paginate(client, operation.path, {}, { concurrency, pageSize: plan.pageSize })) {
      // Sample once per page: cheap, and frequent enough to catch a build-up.
      if (++count % plan.pageSize === 0) {
        peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
        if (concurrency === 1 && count <= plan.totalItems / 10) peakFirstTenth = peakHeap;
      }
    }
    if (count !== plan.totalItems) throw new Error(`pagination bench: streamed ${count} items, expected ${plan.totalItems}`);
    return (performance.now() - started) / 1000;
  };
  gc();
  const baseline = getHeapStatistics().used_heap_size;
  const sequentialS = await stream(1);
  // The concurrent run is short (about 0.3 s), so one slow moment of a busy machine would swing it: median of three.
  const concurrentRuns = [await stream(8), await stream(8), await stream(8)].sort((a, b) => a - b);
  const concurrentS = concurrentRuns[1]!;
  gc();
  const retained = getHeapStatistics().used_heap_size - baseline;
  await stub.servePages(null);
  return {
    operation: `${paged.service} GET ${operation.path}`,
    items: plan.totalItems,
    pageSize: plan.pageSize,
    pageDelayMs: plan.pageDelayMs,
    sequentialS,
    concurrentS,
    speedup: sequentialS / concurrentS,
    heapGrowthMb: Math.max(0, peakHeap - baseline) / 2 ** 20,
    heapGrowthFirstTenthMb: Math.max(0, peakFirstTenth - baseline) / 2 ** 20,
    heapRetainedMb: Math.max(0, retained) / 2 ** 20,
  };
}

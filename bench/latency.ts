/**
 * Per-call latency of several contenders making the same request, measured in
 * interleaved rounds (rotating order) so machine noise falls on all of them alike.
 */
export interface Contender {
  name: string;
  /** One complete call: request sent, JSON body parsed. */
  call(): Promise<unknown>;
}

/** Per contender, one array of per-call latencies (ms) per round. */
export type RoundSamples = Map<string, number[][]>;

export interface LatencySamples {
  sequential: RoundSamples;
  concurrent: RoundSamples;
}

export interface LatencyPlan {
  rounds: number;
  sequentialCalls: number;
  inFlight: number;
  callsPerWorker: number;
  warmupCalls: number;
}

async function timed(contender: Contender, into: number[]): Promise<void> {
  const start = performance.now();
  await contender.call();
  into.push(performance.now() - start);
}

async function sequential(contender: Contender, calls: number, into: number[]): Promise<void> {
  for (let i = 0; i < calls; i++) await timed(contender, into);
}

async function concurrent(contender: Contender, inFlight: number, callsPerWorker: number, into: number[]): Promise<void> {
  const worker = async () => {
    for (let i = 0; i < callsPerWorker; i++) await timed(contender, into);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export async function measureLatency(contenders: readonly Contender[], plan: LatencyPlan): Promise<LatencySamples> {
  const samples: LatencySamples = { sequential: new Map(), concurrent: new Map() };
  for (const c of contenders) {
    samples.sequential.set(c.name, []);
    samples.concurrent.set(c.name, []);
    // Warm-up: connection pool, JIT, token cache; not recorded.
    await sequential(c, plan.warmupCalls, []);
    await concurrent(c, plan.inFlight, 2, []);
  }
  for (let round = 0; round < plan.rounds; round++) {
    for (const c of rotate(contenders, round)) {
      const into: number[] = [];
      await sequential(c, plan.sequentialCalls, into);
      samples.sequential.get(c.name)!.push(into);
    }
    for (const c of rotate(contenders, round + 1)) {
      const into: number[] = [];
      await concurrent(c, plan.inFlight, plan.callsPerWorker, into);
      samples.concurrent.get(c.name)!.push(into);
    }
  }
  return samples;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Median latency over every call of every round. */
export function pooledMedian(rounds: readonly number[][]): number {
  return median(rounds.flat());
}

/**
 * Median over rounds of the per-round ratio of median latencies: contenders of
 * one round ran back to back, so drift in machine load between rounds cancels out.
 */
export function medianRoundRatio(a: readonly number[][], b: readonly number[][]): number {
  return median(a.map((round, i) => median(round) / median(b[i]!)));
}

/**
 * What every figure module of `npm run bench` provides, and how its numbers
 * are summarised: each metric is measured in at least three runs and
 * reported as min / median / max; a target, where there is one, is judged on
 * the median and the worst run is shown beside it.
 */
import type { Stub } from "./stub-client.js";

export type Sdk = typeof import("../src/index.js");

export interface BenchContext {
  /** The built package, loaded as a consumer loads it. */
  readonly sdk: Sdk;
  readonly stub: Stub;
  /** Runs per metric (at least 3). */
  readonly runs: number;
  /** Progress line on stderr. */
  progress(message: string): void;
}

export interface Target {
  readonly op: "<=" | ">=";
  readonly value: number;
}

export interface Metric {
  readonly name: string;
  readonly unit: string;
  /** One value per run. */
  readonly runs: readonly number[];
  readonly target?: Target | undefined;
  /** What the figure shows, in a line (for the table's reader). */
  readonly about?: string | undefined;
}

export interface FigureResult {
  readonly metrics: readonly Metric[];
  /** Raw details (per-contender latencies, operations used...). */
  readonly details?: Record<string, unknown>;
  readonly notes?: readonly string[];
}

export interface Figure {
  readonly name: string;
  run(context: BenchContext): Promise<FigureResult>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Summary {
  unit: string;
  min: number;
  median: number;
  max: number;
  runs: number[];
  target?: string;
  /** Judged on the median; `worst_run_met` says whether every run met it. */
  met?: boolean;
  worst_run_met?: boolean;
  about?: string;
}

const round = (n: number) => Number(n.toPrecision(4));

export function summarize(metric: Metric): Summary {
  const runs = metric.runs.map(round);
  const summary: Summary = { unit: metric.unit, min: Math.min(...runs), median: round(median(metric.runs)), max: Math.max(...runs), runs };
  if (metric.target) {
    const { op, value } = metric.target;
    const ok = (v: number) => (op === "<=" ? v <= value : v >= value);
    summary.target = `${op} ${value}`;
    summary.met = ok(summary.median);
    summary.worst_run_met = metric.runs.every(ok);
  }
  if (metric.about) summary.about = metric.about;
  return summary;
}

/** Repeats `measure` `runs` times, collecting one value per named metric per run. */
export async function repeat<K extends string>(runs: number, measure: (run: number) => Promise<Record<K, number>>): Promise<Record<K, number[]>> {
  const out = {} as Record<K, number[]>;
  for (let run = 0; run < runs; run++) {
    const values = await measure(run);
    for (const key of Object.keys(values) as K[]) (out[key] ??= []).push(values[key]);
  }
  return out;
}

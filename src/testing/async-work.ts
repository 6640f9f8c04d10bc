/**
 * Work that takes time: async-operation resources behind a `202` +
 * `Location`, and Compute Ops Management jobs. Each moves through its states
 * as time passes (fast by default) and ends in the outcome the test chose.
 */

export type AsyncOutcome = "succeeded" | "failed";
export type JobOutcome = "COMPLETE" | "ERROR" | "STALLED";

export interface AsyncSettings {
  /** Time from creation to the terminal state, in ms; default 300. */
  durationMs: number;
  /** How async operations end; default "succeeded". */
  outcome: AsyncOutcome;
  /** How Compute Ops Management jobs end; default "COMPLETE". */
  jobOutcome: JobOutcome;
}

export const defaultAsyncSettings = (): AsyncSettings => ({ durationMs: 300, outcome: "succeeded", jobOutcome: "COMPLETE" });

export interface AsyncRecord {
  readonly id: string;
  readonly createdAt: number;
  readonly durationMs: number;
  readonly outcome: AsyncOutcome;
  /** The request that started it, e.g. `POST /backup-recovery/v1beta1/protection-jobs`. */
  readonly request: string;
  /** Where the affected resource lives, when there is one. */
  readonly resourceUri: string | undefined;
  /** What the work created or changed, once it succeeded (devices added, devices assigned). */
  readonly resultUris?: readonly string[];
}

/** State of an async operation `elapsedMs` after it started. */
export function asyncState(record: AsyncRecord, now: number): { state: "INITIALIZED" | "RUNNING" | "SUCCEEDED" | "FAILED"; progressPercent: number } {
  const elapsed = now - record.createdAt;
  if (elapsed >= record.durationMs) return { state: record.outcome === "succeeded" ? "SUCCEEDED" : "FAILED", progressPercent: 100 };
  const progressPercent = Math.floor((100 * elapsed) / Math.max(record.durationMs, 1));
  return { state: elapsed < record.durationMs / 4 ? "INITIALIZED" : "RUNNING", progressPercent };
}

/** State of a Compute Ops Management job: RUNNING until its time is up, then its outcome. */
export function jobState(createdAt: number, durationMs: number, outcome: JobOutcome, now: number): "RUNNING" | JobOutcome {
  return now - createdAt >= durationMs ? outcome : "RUNNING";
}

/**
 * `Retry-After` on a poll answer of work that ends at `endsAt`: the seconds left, rounded up to the whole
 * seconds the header carries; none once the work has ended.
 */
export function retryAfterUntil(endsAt: number, now: number): Record<string, string> {
  return now >= endsAt ? {} : { "retry-after": String(Math.ceil((endsAt - now) / 1000)) };
}

/**
 * Upstream defects in HPE's documents that the contract suite tolerates, each
 * with its reason. An entry must keep matching: when a defect is fixed
 * upstream (or by a correction in src/specs/corrections.ts) the suite fails
 * until the entry is removed.
 *
 * - `response`: Prism accepts the request, but even the answer it generates
 *   from the response schema breaks that schema; only problems matching
 *   `problems` are tolerated, anything else still fails.
 * - `unservable`: no request can pass Prism (or Prism cannot answer); the
 *   suite checks it still fails the documented way and does not count it.
 */
export interface UpstreamDefect {
  readonly kind: "response" | "unservable";
  readonly reason: string;
  /** What the tolerated problems (or the unservable failure) look like. */
  readonly problems: RegExp;
}

// Every defect found so far is corrected in src/specs/corrections.ts.
export const upstreamDefects: Readonly<Record<string, UpstreamDefect>> = {};

export function operationKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/**
 * Seeded, bounded choice of faults: the same seed breaks the same requests on
 * every run, and no request is broken more often than a client could recover from.
 */
import type { Fault, ProxiedRequest } from "./fault-proxy.js";

export interface FaultPlanOptions {
  readonly seed: number;
  /** Share of requests that get a fault, 0..1. */
  readonly rate: number;
  /** The faults to draw from, each equally likely. */
  readonly faults: readonly Fault[];
  /** Faults in a row for the same method and URL, after which the request passes. */
  readonly maxConsecutive: number;
  /** Total faults injected over the plan's life. */
  readonly budget: number;
  /** At most this many of a kind over the plan's life (e.g. `slow`, each of which costs a whole timeout). */
  readonly maxPerKind?: Readonly<Partial<Record<Fault["kind"], number>>>;
  /** Only requests this returns true for are considered (default: all). */
  readonly applies?: (request: ProxiedRequest) => boolean;
}

export interface FaultPlan {
  readonly choose: (request: ProxiedRequest) => Fault | undefined;
  /** How many of each fault kind were injected so far. */
  readonly injected: () => Readonly<Record<string, number>>;
}

export function seededFaultPlan(options: FaultPlanOptions): FaultPlan {
  const random = mulberry32(options.seed);
  const streak = new Map<string, number>();
  const injected: Record<string, number> = {};
  let spent = 0;

  return {
    choose(request) {
      if (options.applies && !options.applies(request)) return undefined;
      const key = `${request.method} ${request.url}`;
      const inARow = streak.get(key) ?? 0;
      // Draw both numbers on every request so the sequence does not depend on the caps.
      const roll = random();
      const pick = options.faults[Math.floor(random() * options.faults.length)];
      const capped = pick !== undefined && (injected[pick.kind] ?? 0) >= (options.maxPerKind?.[pick.kind] ?? Infinity);
      if (pick === undefined || capped || roll >= options.rate || inARow >= options.maxConsecutive || spent >= options.budget) {
        streak.delete(key);
        return undefined;
      }
      streak.set(key, inARow + 1);
      spent += 1;
      injected[pick.kind] = (injected[pick.kind] ?? 0) + 1;
      return pick;
    },
    injected: () => ({ ...injected }),
  };
}

/** Faults for a fixed time window from the plan's first request, then none. */
export function outageFor(durationMs: number, fault: Fault): FaultPlan {
  let startedAt: number | undefined;
  let count = 0;
  return {
    choose() {
      startedAt ??= Date.now();
      if (Date.now() - startedAt >= durationMs) return undefined;
      count += 1;
      return fault;
    },
    injected: () => ({ [fault.kind]: count }),
  };
}

/** Small, fast, seedable PRNG (public-domain mulberry32). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fleet figures: 8 processes × 300 calls on one API client against a stub
 * that enforces a per-workspace limit (429 past it), with the shared store
 * on a real redis-server and without it. Reports 429s, token requests, and
 * the accepted rate over the limit. `tsx bench/fleet.ts` runs it alone.
 * Knobs: GREENLAKE_BENCH_FLEET_CALLS (per process, default 300),
 * GREENLAKE_BENCH_FLEET_LIMIT (per 2 s window, default 80).
 */
import { fileURLToPath } from "node:url";
import { runFleet, startFleetStub, startRedis, type FleetRun } from "../test/faults/fleet-harness.js";

const WORKERS = 8;
const WINDOW_MS = 2000;

export interface FleetFigures {
  readonly workers: number;
  readonly calls_per_worker: number;
  readonly limit: string;
  readonly shared: FleetModeFigures;
  readonly local: FleetModeFigures;
}

export interface FleetModeFigures {
  readonly ok: number;
  readonly failed: number;
  readonly answered_429: number;
  readonly token_requests: number;
  readonly rate_over_limit: number;
  readonly busiest_window: number;
  readonly seconds: number;
}

function figures(run: FleetRun): FleetModeFigures {
  return {
    ok: run.ok,
    failed: run.failed,
    answered_429: run.limited,
    token_requests: run.tokenRequests,
    rate_over_limit: Number(run.rateOverLimit.toFixed(3)),
    busiest_window: run.busiestWindow,
    seconds: Number(run.seconds.toFixed(1)),
  };
}

export async function measureFleet(): Promise<FleetFigures> {
  const calls = Number(process.env.GREENLAKE_BENCH_FLEET_CALLS ?? 300);
  const limit = Number(process.env.GREENLAKE_BENCH_FLEET_LIMIT ?? 80);
  process.stderr.write(`bench: fleet (${WORKERS} processes x ${calls} calls, ${limit} per ${WINDOW_MS / 1000} s), with and without the shared store...\n`);
  const redis = await startRedis();
  try {
    const mode = async (shared: boolean): Promise<FleetModeFigures> => {
      const stub = await startFleetStub({ limit, windowMs: WINDOW_MS });
      try {
        const options = { calls, concurrency: 6, limit, windowSeconds: WINDOW_MS / 1000, redisUrl: shared ? redis.url : undefined };
        return figures(await runFleet(stub, WORKERS, options));
      } finally {
        await stub.close();
      }
    };
    const shared = await mode(true);
    const local = await mode(false);
    const result = { workers: WORKERS, calls_per_worker: calls, limit: `${limit} per ${WINDOW_MS / 1000} s per workspace`, shared, local };
    for (const [name, f] of [["shared store", shared], ["no shared store", local]] as const) {
      console.log(
        `fleet (${name}): ${f.ok} ok, ${f.failed} failed, ${f.answered_429} answered 429, ${f.token_requests} token request(s), ` +
          `rate ${f.rate_over_limit} of the limit, busiest window ${f.busiest_window}/${limit}, ${f.seconds} s`,
      );
    }
    return result;
  } finally {
    await redis.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  measureFleet().then(
    (figures) => console.log(JSON.stringify(figures)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** The fleet figure of `npm run bench`: each metric over `runs` whole fleet runs, with and without the shared store. */
export const fleet = {
  name: "fleet",
  async run(context: { runs: number; progress(message: string): void }) {
    const all: FleetFigures[] = [];
    for (let i = 0; i < context.runs; i++) {
      context.progress(`fleet run ${i + 1} of ${context.runs}`);
      all.push(await measureFleet());
    }
    const metric = (name: string, unit: string, pick: (f: FleetFigures) => number, about: string, target?: { op: "<=" | ">="; value: number }) => ({
      name,
      unit,
      runs: all.map(pick),
      about,
      ...(target ? { target } : {}),
    });
    return {
      metrics: [
        metric("shared_429s", "count", (f) => f.shared.answered_429, "429s over 8 x calls with the Redis store", { op: "<=", value: 0.05 * all[0]!.workers * all[0]!.calls_per_worker }),
        metric("local_429s", "count", (f) => f.local.answered_429, "429s without it (each process paces alone)"),
        metric("shared_token_requests", "count", (f) => f.shared.token_requests, "token requests of the whole fleet, shared store", { op: "<=", value: 1 }),
        metric("local_token_requests", "count", (f) => f.local.token_requests, "token requests without it"),
        metric("shared_rate_over_limit", "ratio", (f) => f.shared.rate_over_limit, "accepted calls per window / the limit, shared store", { op: ">=", value: 0.9 }),
        metric("local_rate_over_limit", "ratio", (f) => f.local.rate_over_limit, "the same without it"),
      ],
      details: { runs: all },
    };
  },
};

/**
 * `npm run bench`: speed and weight of the SDK next to bare openapi-fetch and
 * plain fetch, against one loopback stub server. Prints a table and writes
 * bench/results.json. Builds the package first: import and typecheck figures
 * are taken from dist/, as a consumer would load it.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServiceMetadata } from "../src/metadata.js";
import { repoRoot } from "../scripts/package-layout.js";
import { OVERHEAD_PATH, openapiFetchContender, rawFetchContender } from "./contenders.js";
import { runCliBench } from "./cli.js";
import { measureImports } from "./imports.js";
import { measureLatency, medianRoundRatio, pooledMedian, type Contender } from "./latency.js";
import { measurePagination, pickPagedOperation, type PaginationResult } from "./pagination.js";
import { startStub, type Stub } from "./stub-client.js";
import { measureTypecheck, type TypecheckResult } from "./typecheck.js";

type Sdk = typeof import("../src/index.js");
// A variable specifier: resolved at run time to the built package, never to the sources.
const PACKAGE = "greenlake-sdk";
const tsx = join(repoRoot, "node_modules/tsx/dist/cli.mjs");

const LATENCY = { rounds: 20, sequentialCalls: 150, inFlight: 32, callsPerWorker: 8, warmupCalls: 300 };
// Every service's generated metadata, which the root entry loads for `GreenLake`'s 25 properties.
const ALL_METADATA = "./dist/esm/generated/services/index.js";
const NO_TIMEOUT = "greenlake-sdk (timeoutMs: 0)";
const PAGINATION = { totalItems: 100_000, pageSize: 1_000, pageDelayMs: 20 };

function step<T>(label: string, work: () => T): T {
  process.stderr.write(`bench: ${label}...\n`);
  return work();
}

function timedScript(args: string[]): number {
  const started = performance.now();
  execFileSync(process.execPath, [tsx, ...args], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
  return (performance.now() - started) / 1000;
}

async function loadServices(): Promise<Map<string, ServiceMetadata>> {
  const index = (await import("../generated/services/index.js")) as {
    serviceKeys: readonly string[];
    serviceMetadata: Record<string, ServiceMetadata>;
  };
  return new Map(index.serviceKeys.map((k) => [k, index.serviceMetadata[k]!]));
}

function sdkClient(sdk: Sdk, stub: Stub, clientId = "bench-client", options: { timeoutMs?: number } = {}) {
  // Client credentials against the stub's issuer: the token path, retry layer and default logger all run.
  return new sdk.GreenLake({
    clientId,
    clientSecret: "bench-secret",
    workspaceId: "0123456789abcdef0123456789abcdef",
    tokenUrl: stub.tokenUrl,
    baseUrl: stub.baseUrl,
    ...options,
  });
}

function sdkContender(sdk: Sdk, stub: Stub, name = "greenlake-sdk", options: { timeoutMs?: number } = {}): Contender {
  const gl = sdkClient(sdk, stub, "bench-client", options);
  const com = gl.computeOpsMgmt;
  return {
    name,
    async call() {
      const { data, error } = await com.GET(OVERHEAD_PATH, { params: { query: { limit: 10 } } });
      if (error !== undefined) throw new Error("greenlake-sdk: request failed");
      return data;
    },
  };
}

async function coldTokenRequests(sdk: Sdk, stub: Stub, calls: number): Promise<number> {
  // Tokens are cached per issuer and client id, so a client id of its own makes this client cold.
  const com = sdkClient(sdk, stub, "bench-cold-client").computeOpsMgmt;
  await stub.reset();
  const answers = await Promise.all(Array.from({ length: calls }, () => com.GET(OVERHEAD_PATH, { params: { query: { limit: 10 } } })));
  const failed = answers.filter((a) => a.error !== undefined).length;
  if (failed > 0) throw new Error(`token bench: ${failed} of ${calls} calls failed`);
  return (await stub.stats()).tokenRequests;
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const buildS = step("building the package", () => timedScript(["scripts/build.ts"]));
  const sdk = (await import(PACKAGE)) as Sdk;
  const services = await loadServices();
  const notes: string[] = [];

  const stub = await startStub();
  let latency: Awaited<ReturnType<typeof measureLatency>>;
  let tokenRequests: number;
  let pagination: PaginationResult | null = null;
  try {
    const contenders = [
      rawFetchContender(stub.baseUrl),
      openapiFetchContender(stub.baseUrl),
      sdkContender(sdk, stub),
      // Same client without the per-attempt time limit: isolates what that limit costs per call.
      sdkContender(sdk, stub, NO_TIMEOUT, { timeoutMs: 0 }),
    ];
    process.stderr.write("bench: per-call latency (sequential and 32 in flight)...\n");
    latency = await measureLatency(contenders, LATENCY);
    tokenRequests = await coldTokenRequests(sdk, stub, 500);
    const paginate = (sdk as { paginate?: unknown }).paginate;
    if (typeof paginate === "function") {
      process.stderr.write("bench: pagination (100 000 items)...\n");
      const paged = pickPagedOperation(services, PAGINATION.pageSize);
      const client = sdkClient(sdk, stub).service(paged.service as never);
      pagination = await measurePagination(stub, paginate as never, client, paged, PAGINATION);
    } else {
      notes.push("pagination: the package exports no paginate(); figures not measured");
    }
  } finally {
    await stub.stop();
  }

  const typecheck: TypecheckResult = step("tsc consumer vs empty file", () => measureTypecheck(services, 3));
  const imports = step("cold imports", () =>
    measureImports([PACKAGE, `${PACKAGE}/compute-ops-mgmt`, "openapi-fetch", "simple-oauth2", "joi", "@hapi/wreck", ALL_METADATA], 10),
  );
  const generateS = step("full regeneration", () => timedScript(["scripts/generate.ts", "--force"]));

  const ratio = (a: string, b: string, kind: "sequential" | "concurrent") =>
    round(medianRoundRatio(latency[kind].get(a)!, latency[kind].get(b)!));
  const us = (kind: "sequential" | "concurrent") =>
    Object.fromEntries([...latency[kind]].map(([name, v]) => [name, round(pooledMedian(v) * 1000, 1)]));

  const importMs = (s: string) => round(imports.get(s)!, 1);
  notes.push(
    `simple-oauth2 alone costs ${importMs("simple-oauth2")} ms of cold import (joi ${importMs("joi")} ms, ` +
      `@hapi/wreck ${importMs("@hapi/wreck")} ms, sharing @hapi/hoek); src/auth.ts loads it on the first token request, so it is in ` +
      "no import_ms figure, and in no latency figure once the token is cached",
  );

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    method: {
      server: "one loopback stub (node:http) in a child process; keep-alive; same request for every contender",
      latency: `${LATENCY.rounds} interleaved rounds; per round ${LATENCY.sequentialCalls} sequential calls and ${LATENCY.inFlight}x${LATENCY.callsPerWorker} calls at ${LATENCY.inFlight} in flight per contender; ratios are the median over rounds of the ratio of per-round median per-call latencies`,
      imports: "median of 10 fresh node processes timing one dynamic import() of the built package (dist/esm)",
      typecheck: "median of 3 tsc --noEmit runs (skipLibCheck, NodeNext) against the built declarations",
    },
    overhead_vs_openapi_fetch: {
      sequential: ratio("greenlake-sdk", "openapi-fetch", "sequential"),
      in_flight_32: ratio("greenlake-sdk", "openapi-fetch", "concurrent"),
      target: 1.05,
    },
    overhead_vs_raw_fetch: {
      sequential: ratio("greenlake-sdk", "fetch", "sequential"),
      in_flight_32: ratio("greenlake-sdk", "fetch", "concurrent"),
      target: 1.25,
    },
    overhead_vs_openapi_fetch_without_timeout: {
      sequential: ratio(NO_TIMEOUT, "openapi-fetch", "sequential"),
      in_flight_32: ratio(NO_TIMEOUT, "openapi-fetch", "concurrent"),
    },
    openapi_fetch_vs_raw_fetch: {
      sequential: ratio("openapi-fetch", "fetch", "sequential"),
      in_flight_32: ratio("openapi-fetch", "fetch", "concurrent"),
    },
    median_latency_us: { sequential: us("sequential"), in_flight_32: us("concurrent") },
    token_requests_cold_500: tokenRequests,
    pagination_speedup_c8: pagination ? round(pagination.speedup, 2) : null,
    pagination_heap_mb: pagination ? round(pagination.heapGrowthMb, 1) : null,
    pagination: pagination && {
      ...pagination,
      sequentialS: round(pagination.sequentialS),
      concurrentS: round(pagination.concurrentS),
      speedup: round(pagination.speedup, 2),
      heapGrowthMb: round(pagination.heapGrowthMb, 1),
      heapGrowthFirstTenthMb: round(pagination.heapGrowthFirstTenthMb, 1),
      heapRetainedMb: round(pagination.heapRetainedMb, 1),
    },
    typecheck_ratio: round(typecheck.ratio, 2),
    typecheck_s: { consumer: round(typecheck.consumerS), empty: round(typecheck.emptyS), one_service_entry: round(typecheck.oneServiceS) },
    typecheck_operations: typecheck.operations,
    import_ms_root: importMs(PACKAGE),
    import_ms_one_service: importMs(`${PACKAGE}/compute-ops-mgmt`),
    import_ms_openapi_fetch: importMs("openapi-fetch"),
    import_ms_simple_oauth2: importMs("simple-oauth2"),
    import_ms_all_service_metadata: importMs(ALL_METADATA),
    generate_s: round(generateS, 1),
    build_s: round(buildS, 1),
    bench_s: round((performance.now() - benchStarted) / 1000, 1),
    notes,
  };
  writeFileSync(join(repoRoot, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
  await runCliBench();
}

function printTable(r: {
  [key: string]: unknown;
  overhead_vs_openapi_fetch: { sequential: number; in_flight_32: number };
  overhead_vs_raw_fetch: { sequential: number; in_flight_32: number };
  median_latency_us: { sequential: Record<string, number>; in_flight_32: Record<string, number> };
  typecheck_s: { consumer: number; empty: number; one_service_entry: number };
  pagination: { heapGrowthFirstTenthMb: number; heapRetainedMb: number } | null;
  notes: string[];
}): void {
  const verdict = (ok: boolean | null) => (ok === null ? "n/a" : ok ? "met" : "MISSED");
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  const rows: [string, string, string, string][] = [
    ["overhead_vs_openapi_fetch (sequential)", String(r.overhead_vs_openapi_fetch.sequential), "<= 1.05", verdict(r.overhead_vs_openapi_fetch.sequential <= 1.05)],
    ["overhead_vs_openapi_fetch (32 in flight)", String(r.overhead_vs_openapi_fetch.in_flight_32), "<= 1.05", verdict(r.overhead_vs_openapi_fetch.in_flight_32 <= 1.05)],
    ["overhead_vs_raw_fetch (sequential)", String(r.overhead_vs_raw_fetch.sequential), "<= 1.25", verdict(r.overhead_vs_raw_fetch.sequential <= 1.25)],
    ["overhead_vs_raw_fetch (32 in flight)", String(r.overhead_vs_raw_fetch.in_flight_32), "<= 1.25", verdict(r.overhead_vs_raw_fetch.in_flight_32 <= 1.25)],
    ["token_requests_cold_500", String(r.token_requests_cold_500), "1", verdict(r.token_requests_cold_500 === 1)],
    ["pagination_speedup_c8", String(r.pagination_speedup_c8), ">= 6", verdict(num(r.pagination_speedup_c8) === null ? null : num(r.pagination_speedup_c8)! >= 6)],
    ["pagination_heap_mb", `${r.pagination_heap_mb} (first tenth ${r.pagination?.heapGrowthFirstTenthMb}, retained ${r.pagination?.heapRetainedMb})`, "< 50, flat", verdict(num(r.pagination_heap_mb) === null ? null : num(r.pagination_heap_mb)! < 50)],
    ["typecheck_ratio", `${r.typecheck_ratio} (${r.typecheck_s.consumer} s / ${r.typecheck_s.empty} s)`, "report", ""],
    ["typecheck one service entry", `${r.typecheck_s.one_service_entry} s`, "note", ""],
    ["import_ms_root", String(r.import_ms_root), `vs openapi-fetch ${r.import_ms_openapi_fetch}`, ""],
    ["import_ms_one_service", String(r.import_ms_one_service), `vs openapi-fetch ${r.import_ms_openapi_fetch}`, ""],
    ["import_ms_simple_oauth2", String(r.import_ms_simple_oauth2), "note", ""],
    ["import_ms_all_service_metadata", String(r.import_ms_all_service_metadata), "note", ""],
    ["generate_s", String(r.generate_s), "report", ""],
    ["build_s", String(r.build_s), "report", ""],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join("  ");
  console.log(line(["figure", "value", "target", "verdict"]));
  for (const row of rows) console.log(line(row));
  const lat = r.median_latency_us;
  console.log(`\nmedian per-call latency (µs): sequential ${JSON.stringify(lat.sequential)}; 32 in flight ${JSON.stringify(lat.in_flight_32)}`);
  for (const note of r.notes) console.log(`note: ${note}`);
  console.log(`\nwrote bench/results.json (${r.bench_s} s)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

/**
 * Long-running calls: follow `202 Accepted` + `Location` to the async-operation
 * resource and wait for a terminal state; and Compute Ops Management jobs
 * (create, then wait until COMPLETE, ERROR or STALLED).
 */
import { noJobIdError, noLocationError, operationFailedError, operationTimeoutError, throwUnlessOk, unusableLocationError } from "./errors.js";
import { regionOfLocation } from "./internal/regions.js";
import { parseRetryAfter, pollDelay } from "./internal/retry.js";
import { internalsOf, type ServiceClient } from "./service-client.js";
import { sleep } from "./internal/timeouts.js";

export interface WaitOptions {
  /** Give up after this long; default 15 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Interval when the server suggests none (neither `suggestedPollingIntervalSeconds` nor `Retry-After`); default 5 s. */
  pollIntervalMs?: number;
  /** Upper bound on any interval, including the server's suggestion; default 60 s. */
  maxPollIntervalMs?: number;
  /** Lower bound on any interval, including the server's suggestion; default 1 s. */
  minPollIntervalMs?: number;
}

/** The async-operation resource as GreenLake services return it (fields vary by service). */
export interface AsyncOperation {
  readonly id?: string;
  /** Device and subscription management name the state `status`; Compute Ops Management names it `state`. */
  readonly status?: string;
  readonly state?: string;
  readonly suggestedPollingIntervalSeconds?: number;
  readonly [field: string]: unknown;
}

const SUCCEEDED = new Set(["SUCCEEDED", "SUCCESS", "COMPLETED"]);
const FAILED = new Set(["FAILED", "FAILURE", "TIMEDOUT", "TIMEOUT", "CANCELLED", "CANCELED", "ERROR"]);

type Getter = (
  path: string,
  init: { signal?: AbortSignal | undefined; region?: string | undefined },
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/** Path and query of `location` on the client's own base URL, with `+` kept a plus (`%2B`); an empty or unparseable one is refused. */
function pathOnClient(location: string): string {
  if (location.trim() === "" || !URL.canParse(location, "https://location.invalid")) throw unusableLocationError();
  const url = new URL(location, "https://location.invalid");
  // Another scheme (`x:@evil.example/`) has a path without a leading slash, which on the base URL would name another host.
  if ((url.protocol !== "https:" && url.protocol !== "http:") || !url.pathname.startsWith("/")) throw unusableLocationError();
  // Only the path is kept: the token must never follow a Location to another host.
  return (url.pathname + url.search).replaceAll("+", "%2B");
}

function stateOf(resource: AsyncOperation): string | undefined {
  const state = resource.status ?? resource.state;
  return typeof state === "string" ? state.toUpperCase() : undefined;
}

async function poll<T extends Record<string, unknown>>(
  client: ServiceClient<any>,
  path: string,
  options: WaitOptions & { region?: string | undefined },
  settle: (resource: T) => "done" | "failed" | undefined,
  describe: (resource: T) => string,
  suggestedMs: (resource: T, response: Response) => number | undefined,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const intervals = { fallbackMs: options.pollIntervalMs, maxMs: options.maxPollIntervalMs, minMs: options.minPollIntervalMs };
  const deadline = Date.now() + timeoutMs;
  const get = client.GET as unknown as Getter;
  for (;;) {
    const result = await get(path, options.region === undefined ? { signal: options.signal } : { signal: options.signal, region: options.region });
    throwUnlessOk(result, "GET", path);
    const resource = (result.data ?? {}) as T;
    const outcome = settle(resource);
    if (outcome === "done") return resource;
    if (outcome === "failed") {
      throw operationFailedError(describe(resource), resource, path.split("?")[0]!);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw operationTimeoutError(describe(resource), timeoutMs, path.split("?")[0]!);
    }
    const interval = pollDelay(suggestedMs(resource, result.response), intervals);
    await sleep(Math.min(interval, remaining), options.signal);
  }
}

/**
 * The wait a poll answer asks for: the body's `suggestedPollingIntervalSeconds` (finer than whole seconds) when
 * it is a positive number, else the answer's `Retry-After`; `undefined` when neither says, or says nonsense.
 * `poll` bounds it by the caller's limits.
 */
function askedWait(response: Response, suggestedSeconds?: unknown): number | undefined {
  if (typeof suggestedSeconds === "number" && suggestedSeconds > 0) return suggestedSeconds * 1000;
  return parseRetryAfter(response.headers.get("retry-after"));
}

function operationSummary(resource: AsyncOperation): string {
  const id = typeof resource.id === "string" ? ` ${resource.id}` : "";
  const state = stateOf(resource) ?? "unknown";
  const error = resource.error as { message?: unknown; errorCode?: unknown } | null | undefined;
  const reason = error && typeof error.message === "string" ? `: ${typeof error.errorCode === "string" ? `${error.errorCode} ` : ""}${error.message}` : "";
  return `Async operation${id} (state ${state}${reason})`;
}

/**
 * Waits for the async operation a `202 Accepted` response points to and
 * returns its final resource; a failed, timed-out or cancelled operation throws
 * `GreenLakeOperationError`, running past `timeoutMs` throws `GreenLakeTimeoutError`.
 */
export async function waitForAsyncOperation(
  client: ServiceClient<any>,
  accepted: { response: Response } | Response | string,
  options: WaitOptions = {},
): Promise<AsyncOperation> {
  let location: string | null;
  if (typeof accepted === "string") location = accepted;
  else {
    const response = accepted instanceof Response ? accepted : accepted.response;
    location = response.headers.get("location");
    if (location === null) {
      throw noLocationError(response.status);
    }
  }
  const path = pathOnClient(location);
  return poll<AsyncOperation>(
    client,
    path,
    { ...options, region: regionOfLocation(internalsOf(client).metadata, location) },
    (resource) => {
      const state = stateOf(resource);
      if (state === undefined) return undefined;
      return SUCCEEDED.has(state) ? "done" : FAILED.has(state) ? "failed" : undefined;
    },
    operationSummary,
    (resource, response) => askedWait(response, resource.suggestedPollingIntervalSeconds),
  );
}

/** A Compute Ops Management job resource (the fields the helper reads). */
export interface ComJob {
  readonly id: string;
  readonly state?: string;
  readonly resultCode?: string;
  readonly [field: string]: unknown;
}

export interface ComJobOptions extends WaitOptions {
  /** Jobs API version segment; default `v1`. */
  apiVersion?: string;
}

const JOB_TERMINAL = new Set(["COMPLETE", "ERROR", "STALLED"]);

/**
 * Waits for a Compute Ops Management job until COMPLETE (returned; check
 * `resultCode`), or ERROR or STALLED (thrown as `GreenLakeOperationError`).
 */
export async function waitForComJob(client: ServiceClient<any>, job: string | { id: string }, options: ComJobOptions = {}): Promise<ComJob> {
  const id = typeof job === "string" ? job : job.id;
  const version = options.apiVersion ?? "v1";
  return poll<ComJob>(
    client,
    `/compute-ops-mgmt/${version}/jobs/${encodeURIComponent(id)}`,
    options,
    (resource) => {
      const state = typeof resource.state === "string" ? resource.state.toUpperCase() : undefined;
      if (state === undefined || !JOB_TERMINAL.has(state)) return undefined;
      return state === "COMPLETE" ? "done" : "failed";
    },
    (resource) => `Compute Ops Management job ${id} (state ${String(resource.state)}${resource.resultCode ? `, result ${String(resource.resultCode)}` : ""})`,
    (_resource, response) => askedWait(response),
  );
}

/** Creates a Compute Ops Management job (`POST /compute-ops-mgmt/<version>/jobs`) and waits for it. */
export async function runComJob(client: ServiceClient<any>, body: Record<string, unknown>, options: ComJobOptions = {}): Promise<ComJob> {
  const version = options.apiVersion ?? "v1";
  const post = client.POST as unknown as (p: string, i: unknown) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
  const created = await post(`/compute-ops-mgmt/${version}/jobs`, { body, signal: options.signal });
  throwUnlessOk(created, "POST", `/compute-ops-mgmt/${version}/jobs`);
  const job = created.data as ComJob | undefined;
  if (job === undefined || typeof job.id !== "string") throw noJobIdError(`/compute-ops-mgmt/${version}/jobs`);
  return waitForComJob(client, job, options);
}

/**
 * One call, top to bottom: the ordered list of steps every API call goes
 * through, beneath openapi-fetch's middleware (it is the per-call `fetch`
 * the service client hands openapi-fetch). Each step is one file in this
 * folder, `(exchange, next) => response`; the origin and region are chosen
 * before (openapi-fetch's per-call `baseUrl`), the media type by the service client.
 */
import type { Log } from "../../logging.js";
import type { TokenSource } from "../auth.js";
import type { ServicePacing } from "../pacing.js";
import type { Proxy } from "../proxy.js";
import type { RetryPolicy } from "../retry.js";
import { authStep } from "./auth.js";
import { bodyStep } from "./body.js";
import { deadlineStep } from "./deadline.js";
import type { CallContext, Exchange, Next, Step } from "./exchange.js";
import { idempotencyStep } from "./idempotency.js";
import { logStep } from "./log.js";
import { pacingStep } from "./pacing.js";
import { proxyStep } from "./proxy.js";
import { retryStep } from "./retry.js";
import { sendStep, type FetchFunction } from "./send.js";
import { tenantStep } from "./tenant.js";
import { pathOf } from "../../errors.js";
import { loadHttp } from "../http.js";
import type { Dispatcher } from "undici";

export type { CallContext, FetchFunction };

export interface PipelineOptions {
  /** The user's fetch; undefined: the SDK's HTTP layer (undici). */
  readonly fetch: FetchFunction | undefined;
  readonly auth: TokenSource;
  readonly log: Log;
  readonly timeoutMs: number;
  /** Longest answer body read (Infinity: no limit). */
  readonly maxResponseBytes: number;
  readonly retry: RetryPolicy;
  /** Pacing within the service's rate-limit budgets; undefined when off. */
  readonly pacing: ServicePacing | undefined;
  /** Whether an operation declares an `Idempotency-Key` header; undefined when none does. */
  readonly idempotent?: ((method: string, url: string) => boolean) | undefined;
  /** The client's proxy: it carries every call that names no dispatcher of its own. */
  readonly proxy?: Proxy | undefined;
}

export type Pipeline = (request: Request, call: CallContext) => Promise<Response>;

function compose(steps: readonly Step[], last: Next): Next {
  let next = last;
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const inner = next;
    next = (exchange) => step(exchange, inner);
  }
  return next;
}

export function createPipeline(o: PipelineOptions): Pipeline {
  const steps: (Step | false | undefined)[] = [
    tenantStep,
    o.idempotent && idempotencyStep(o.idempotent),
    bodyStep,
    o.proxy && proxyStep(o.proxy),
    retryStep(o.retry, o.log),
    authStep(o.auth, o.retry, o.log, o.timeoutMs),
    o.log.debugEnabled && logStep(o.log),
    o.pacing && pacingStep(o.pacing, o.timeoutMs),
    deadlineStep(o.timeoutMs),
  ];
  const run = compose(steps.filter((s): s is Step => typeof s === "function"), sendStep(o.fetch, o.maxResponseBytes));
  return (request, call) => {
    const exchange: Exchange = {
      method: request.method,
      url: request.url,
      path: pathOf(request.url),
      request,
      call,
      signal: call.signal,
      headers: request.headers,
      body: null,
      idempotencyKey: false,
      dispatcher: call.extensions?.dispatcher as Dispatcher | undefined,
      attempt: 1,
      deadline: undefined,
      receiving: false,
      callerAuthorization: undefined,
      replayedUnauthorized: false,
    };
    // The HTTP layer loads with the first call, before its time limit starts.
    const loading = o.fetch === undefined ? loadHttp() : undefined;
    return loading === undefined ? run(exchange) : loading.then(() => run(exchange));
  };
}

/**
 * The `fetch` handed to openapi-fetch, beneath its middleware. It only
 * composes: the call's origin (regions), the bearer token (auth), pacing
 * (rate-limit), each attempt's time limit over the whole body (timeouts), and
 * what to do after a failure (retry). Errors come from the errors module.
 */
import type { TokenSource } from "./auth.js";
import { abortedError, attemptTimeoutError, connectionError, pathOf } from "../errors.js";
import type { Log } from "../logging.js";
import { checkHeaderValue } from "../options.js";
import type { Proxy } from "./proxy.js";
import { ensureIdempotencyKey } from "./idempotency.js";
import type { ServicePacing } from "./pacing.js";
import type { RegionResolver } from "./regions.js";
import { sendHttp, type HttpCall } from "./http.js";
import { bufferedResponse, requestOf } from "./responses.js";
import { serverRequestedDelay, type RetryPolicy } from "./retry.js";
import { AttemptDeadline, readBody, sleep } from "./timeouts.js";

export type FetchFunction = (request: Request, init?: RequestInit) => Promise<Response>;

/** What one call asked for besides the request itself (the per-call options). */
export interface CallContext {
  /** Region of this call only. */
  readonly region?: string | undefined;
  /** `Tenant-Acid` header of this call only. */
  readonly tenantAcid?: string | undefined;
  /** Time limit of this call's attempts; the client's otherwise. */
  readonly timeoutMs?: number | undefined;
  /** The caller's signal: ends the call, its retries and its waits. */
  readonly signal?: AbortSignal | undefined;
  /** RequestInit keys a Request does not keep (undici's `dispatcher`), given to fetch on every attempt. */
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
}

export interface TransportOptions {
  /** The user's fetch; undefined: the SDK's HTTP layer (undici, or `globalThis.fetch` when something replaced it). */
  readonly fetch: FetchFunction | undefined;
  readonly auth: TokenSource;
  readonly log: Log;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** Pacing within the service's rate-limit budgets; undefined when off. */
  readonly pacing: ServicePacing | undefined;
  /** Whether an operation declares an `Idempotency-Key` header. */
  readonly idempotent?: ((method: string, url: string) => boolean) | undefined;
  /** The client's proxy: its dispatcher carries every call that names none of its own. */
  readonly proxy?: Proxy | undefined;
  readonly regions: RegionResolver;
  /** Region names the documents name, to check a per-call `region`. */
  readonly knownRegions?: readonly string[] | undefined;
}

/** The origin openapi-fetch builds URLs on; the transport puts the call's real origin in its place. */
export const PLACEHOLDER_ORIGIN = "https://greenlake.invalid";

export type Transport = (request: Request, call: CallContext) => Promise<Response>;

export function createTransport(options: TransportOptions): Transport {
  const { auth, log, retry, pacing, regions } = options;

  return async function send(request: Request, call: CallContext): Promise<Response> {
    const method = request.method;
    const signal = call.signal ?? undefined;
    const timeoutMs = call.timeoutMs ?? options.timeoutMs;
    const templatePath = pathOf(request.url);
    const origin = regions.origin(call.region, options.knownRegions);
    const base = typeof origin === "string" ? origin : await origin;
    const url = request.url.startsWith(PLACEHOLDER_ORIGIN) ? base + request.url.slice(PLACEHOLDER_ORIGIN.length) : request.url;
    const headers = request.headers;
    if (call.tenantAcid !== undefined) headers.set("Tenant-Acid", checkHeaderValue(call.tenantAcid, "tenantAcid"));
    // One key per logical call, reused on every attempt: the server applies the call once, so it may be retried as PUT is.
    const idempotencyKey = options.idempotent?.(method, request.url) === true && ensureIdempotencyKey(headers);
    // Buffered once so every attempt re-sends the same bytes.
    const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
    // A caller who sets Authorization on a call keeps it: no token, no 401 replay.
    const callerAuthorization = headers.get("authorization");
    let renewedToken = callerAuthorization !== null || !auth.renewable || !retry.replaysUnauthorized;
    let extensions = call.extensions;
    if (options.proxy !== undefined && extensions?.dispatcher === undefined) extensions = { ...extensions, dispatcher: await options.proxy.dispatcher() };
    const kind = { method, idempotencyKey };

    for (let attempt = 1; ; attempt++) {
      let token = "";
      let ticket: ReturnType<ServicePacing["acquire"]> | undefined;
      try {
        if (callerAuthorization === null) {
          const pending = auth.token(signal);
          token = typeof pending === "string" ? pending : await pending;
          headers.set("authorization", `Bearer ${token}`);
        }
        // Paced after the token is in hand, so a slow token request cannot bunch the starts pacing spread out.
        ticket = pacing?.acquire(method, request.url, signal, timeoutMs);
        if (ticket instanceof Promise) ticket = await ticket;
      } catch (error) {
        if (signal?.aborted) throw abortedError(method, templatePath, signal.reason);
        throw error;
      }

      const deadline = new AttemptDeadline(signal, timeoutMs);
      let response: Response;
      let phase: "answer" | "body" = "answer";
      try {
        let answer: Response;
        if (options.fetch === undefined) {
          const exchange: HttpCall = {
            method,
            url,
            headers,
            body,
            signal: deadline.signal,
            redirect: request.redirect,
            dispatcher: extensions?.dispatcher as HttpCall["dispatcher"],
            onProgress: () => deadline.progress(),
          };
          answer = await sendHttp(exchange);
        } else {
          // A user's fetch gets a Request with every option the call took. The body is a Blob: fetch
          // detaches an ArrayBuffer it sends and could then not re-send it after a 307 or 308.
          const attemptRequest = new Request(url, {
            method,
            headers,
            body: body === null ? null : new Blob([body as Uint8Array<ArrayBuffer>]),
            signal: deadline.signal ?? null,
            redirect: request.redirect,
            cache: request.cache,
            credentials: request.credentials,
            integrity: request.integrity,
            keepalive: request.keepalive,
            mode: request.mode,
            referrer: request.referrer,
            referrerPolicy: request.referrerPolicy,
          });
          answer = await (extensions === undefined ? options.fetch(attemptRequest) : options.fetch(attemptRequest, extensions as RequestInit));
        }
        phase = "body";
        deadline.progress();
        if (requestOf(answer) !== undefined) response = answer; // read whole already, under the deadline
        else {
          const bytes = answer.body === null ? null : await readBody(answer.body, deadline);
          response = bufferedResponse(bytes, { status: answer.status, statusText: answer.statusText, headers: answer.headers }, answer.url || url, answer.redirected, method);
        }
      } catch (error) {
        deadline.clear();
        if (ticket) pacing!.release(ticket);
        if (deadline.callerAborted) throw abortedError(method, pathOf(url), signal?.reason);
        const timedOut = deadline.timedOut;
        const failure = timedOut ? attemptTimeoutError(method, pathOf(url), timeoutMs, phase === "body", error) : connectionError(method, url, error, phase === "body");
        const delay = retry.afterFailure(kind, error, attempt);
        if (delay === undefined) throw failure;
        if (log.infoEnabled) log.info(`${failure.message} Retry ${attempt} in ${delay} ms.`);
        await sleep(delay, signal).catch(() => {
          throw abortedError(method, pathOf(url), signal?.reason);
        });
        continue;
      }
      deadline.clear();
      // What the answer says of the budget (rate-limit headers, a 429's wait) paces the calls after it.
      const settled = ticket && pacing!.settle(ticket, response);
      if (settled) await settled;

      const status = response.status;
      if (log.debugEnabled) log.debug(`${method} ${pathOf(url)} -> ${status}${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
      if (status < 400) return response;
      // A rejected token is never sent again, whether or not this call is replayed.
      if (status === 401 && token !== "") auth.invalidate(token);
      if (status === 401 && !renewedToken) {
        // One replay with a fresh token; a second 401 is returned to the caller.
        renewedToken = true;
        attempt--;
        if (log.infoEnabled) log.info(`${method} ${pathOf(url)} got 401; replaying once with a new token`);
        continue;
      }
      const delay = retry.afterStatus(kind, status, attempt, await serverRequestedDelay(response));
      if (delay === undefined) return response;
      if (log.infoEnabled) log.info(`${method} ${pathOf(url)} got ${status}; retry ${attempt} in ${delay} ms`);
      await sleep(delay, signal).catch(() => {
        throw abortedError(method, pathOf(url), signal?.reason);
      });
    }
  };
}

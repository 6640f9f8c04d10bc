/**
 * The `fetch` handed to openapi-fetch, beneath its middleware: adds the
 * bearer token, paces, limits each attempt's time, replays once after a 401
 * and retries what is safe to retry.
 */
import type { TokenSource } from "./auth.js";
import { GreenLakeConnectionError, GreenLakeTimeoutError, pathOf, rememberFailedCall } from "./errors.js";
import { redactSecrets, type Log } from "./logging.js";
import type { RetryOptions } from "./options.js";
import { ensureIdempotencyKey } from "./idempotency.js";
import type { ServicePacing } from "./pacing.js";
import { backoffDelay, isRetryableFailure, isRetryableStatus, serverRequestedDelay } from "./retry.js";
import { attemptSignal, SharedAttemptLimits, sleep } from "./timeouts.js";

export type FetchFunction = (request: Request) => Promise<Response>;

export interface TransportOptions {
  readonly fetch: FetchFunction;
  readonly auth: TokenSource;
  readonly log: Log;
  readonly timeoutMs: number;
  readonly retry: Required<RetryOptions> | false;
  readonly pacing: ServicePacing | undefined;
  /** Whether a call goes to an operation that declares Idempotency-Key. */
  readonly idempotent?: ((method: string, url: string) => boolean) | undefined;
  /** Replaces a placeholder origin once an async region provider has answered. */
  readonly resolveUrl?: ((url: string) => string | Promise<string>) | undefined;
  /** Points a URL at another region, for the per-call `region` option. */
  readonly reroute?: ((url: string, region: string) => string) | undefined;
}

/** Per-call options openapi-fetch copies onto the Request (it passes unknown init keys through). */
interface CallExtras {
  region?: unknown;
  tenantAcid?: unknown;
  timeoutMs?: unknown;
  /** Set by the service client when the call has no AbortSignal, so none is listened to. */
  greenlakeUnsignalled?: unknown;
}

/** Marks call options that carry no AbortSignal (see CallExtras). */
export const UNSIGNALLED = "greenlakeUnsignalled";

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // the body is not needed; a failure to discard it changes nothing
  }
}

/** Waits for a shared promise (the token) but lets this caller stop waiting. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export function createTransport(options: TransportOptions): FetchFunction {
  const { fetch: baseFetch, auth, log, retry, pacing, idempotent: declaresKey, resolveUrl, reroute } = options;
  const maxAttempts = retry ? retry.maxAttempts : 1;
  const nativeFetch = baseFetch === globalThis.fetch;
  const sharedLimits = options.timeoutMs > 0 ? new SharedAttemptLimits(options.timeoutMs) : undefined;

  return async function greenLakeFetch(request: Request): Promise<Response> {
    const method = request.method;
    const extras = request as CallExtras;
    // Listening to a signal nobody can abort costs more than the rest of the call's bookkeeping.
    const caller = extras.greenlakeUnsignalled === true ? undefined : request.signal;
    const { region, tenantAcid } = extras;
    const timeoutMs = typeof extras.timeoutMs === "number" && extras.timeoutMs >= 0 ? extras.timeoutMs : options.timeoutMs;
    let url = request.url;
    if (typeof region === "string" && reroute) url = reroute(url, region);
    else if (resolveUrl) url = await resolveUrl(url);
    if (typeof tenantAcid === "string") request.headers.set("Tenant-Acid", tenantAcid);
    const idempotent = declaresKey?.(method, url) === true && ensureIdempotencyKey(request.headers);
    // Buffered once so every attempt re-sends the same bytes.
    const body = request.body === null ? null : await request.arrayBuffer();
    // Without a body or a new URL the caller's Request is sent as is: no copy on the common path.
    const reuse = body === null && url === request.url && (nativeFetch || timeoutMs <= 0);
    // A caller who sets Authorization on a call keeps it: no token, no 401 replay.
    const callerAuthorization = request.headers.get("authorization");
    let renewedToken = callerAuthorization !== null;

    for (let attempt = 1; ; attempt++) {
      let token = "";
      let authorization: string;
      if (callerAuthorization !== null) authorization = callerAuthorization;
      else {
        const pending = auth.token();
        token = typeof pending === "string" ? pending : await untilAborted(pending, caller);
        authorization = `Bearer ${token}`;
      }
      // Paced after the token is in hand, so a slow token request cannot bunch the starts pacing spread out.
      let ticket = pacing?.acquire(method, url, caller);
      if (ticket instanceof Promise) ticket = await ticket;
      const limit = caller === undefined && sharedLimits !== undefined && timeoutMs === options.timeoutMs ? sharedLimits.next() : attemptSignal(caller, timeoutMs);
      let attemptRequest: Request;
      let init: RequestInit | undefined;
      if (reuse) {
        request.headers.set("authorization", authorization);
        attemptRequest = request;
        // The platform fetch takes the attempt's signal as init, sparing a Request copy.
        if (timeoutMs > 0) init = { signal: limit.signal };
      } else {
        const headers = new Headers(request.headers);
        headers.set("authorization", authorization);
        attemptRequest = new Request(url, { method, headers, body, signal: limit.signal, redirect: request.redirect });
      }

      let response: Response;
      try {
        response = await (init === undefined ? baseFetch(attemptRequest) : (baseFetch as typeof fetch)(attemptRequest, init));
      } catch (error) {
        limit.clear();
        if (ticket) pacing!.release(ticket);
        if (caller?.aborted) throw caller.reason ?? error;
        const timedOut = limit.timedOut();
        if (attempt < maxAttempts && retry && isRetryableFailure(method, error, idempotent)) {
          const delay = backoffDelay(attempt, retry.baseDelayMs, retry.maxDelayMs);
          if (log.infoEnabled) log.info(`${method} ${pathOf(url)} ${timedOut ? "timed out" : "failed to connect"}; retry ${attempt} in ${delay} ms`);
          await sleep(delay, caller);
          continue;
        }
        const init = { method, path: pathOf(url), cause: error };
        throw timedOut
          ? new GreenLakeTimeoutError(`${method} ${init.path} got no response within ${timeoutMs} ms (timeoutMs).`, init)
          : new GreenLakeConnectionError(redactSecrets(`${method} ${init.path} could not reach the server: ${(error as Error)?.message ?? "network error"}.`), init);
      }
      limit.clear();
      const settled = ticket && pacing!.settle(ticket, response);
      if (settled) await settled;

      const status = response.status;
      if (log.debugEnabled) log.debug(`${method} ${pathOf(url)} -> ${status}${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
      if (status < 400) return response;
      if (status === 401 && auth.renewable && !renewedToken) {
        // One replay with a fresh token; a second 401 is returned to the caller.
        renewedToken = true;
        auth.invalidate(token);
        await discard(response);
        attempt--;
        if (log.infoEnabled) log.info(`${method} ${pathOf(url)} got 401; replaying once with a new token`);
        continue;
      }
      if (attempt < maxAttempts && retry && isRetryableStatus(method, status, idempotent)) {
        const requested = await serverRequestedDelay(response);
        const delay =
          requested === undefined ? backoffDelay(attempt, retry.baseDelayMs, retry.maxDelayMs) : Math.min(requested, retry.maxRetryAfterMs);
        if (log.infoEnabled) log.info(`${method} ${pathOf(url)} got ${status}; retry ${attempt} in ${delay} ms`);
        await discard(response);
        await sleep(delay, caller);
        continue;
      }
      rememberFailedCall(response, method, url);
      return response;
    }
  };
}

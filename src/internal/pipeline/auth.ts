/**
 * The bearer token on every attempt, and one replay with a fresh token after
 * a 401. A caller who sets `Authorization` on a call keeps it: no token, no replay.
 * A call waits for a token being fetched no longer than its own time limit.
 */
import { abortedError, tokenWaitTimeoutError } from "../../errors.js";
import type { Log } from "../../logging.js";
import type { TokenSource } from "../auth.js";
import { credentialsDropped } from "../responses.js";
import type { RetryPolicy } from "../retry.js";
import { withinDeadline } from "../timeouts.js";
import type { Exchange, Step } from "./exchange.js";

function failedToken(error: unknown, exchange: Exchange, timeoutMs = 0): unknown {
  if (exchange.signal?.aborted) return abortedError(exchange.method, exchange.path, exchange.signal.reason);
  // withinDeadline's own TimeoutError: this call's limit passed while the token request goes on for others.
  if (timeoutMs > 0 && error instanceof DOMException && error.name === "TimeoutError") return tokenWaitTimeoutError(exchange.method, exchange.path, timeoutMs);
  return error;
}

/** The token, as a plain string while the cached one is fresh (no promise on the common path). */
function tokenFor(auth: TokenSource, exchange: Exchange, clientTimeoutMs: number): string | Promise<string> {
  let pending: string | Promise<string>;
  try {
    pending = auth.token(exchange.signal);
  } catch (error) {
    throw failedToken(error, exchange);
  }
  if (typeof pending === "string") return pending;
  const timeoutMs = exchange.call.timeoutMs ?? clientTimeoutMs;
  return withinDeadline(pending, timeoutMs, exchange.signal).catch((error: unknown) => {
    throw failedToken(error, exchange, timeoutMs);
  });
}

/** Whether the token reached the server that answered (a redirect to another origin drops it for the rest of the chain). */
function answeredByTokenOrigin(response: Response, exchange: Exchange): boolean {
  if (!response.redirected || response.url === "") return true;
  if (credentialsDropped(response)) return false;
  try {
    return new URL(response.url).origin === new URL(exchange.url).origin;
  } catch {
    return true;
  }
}

export function authStep(auth: TokenSource, retry: RetryPolicy, log: Log, timeoutMs = 0): Step {
  const replays = auth.renewable && retry.replaysUnauthorized;
  // The header value of the last token sent, made once per token rather than once per call.
  let lastToken: string | undefined;
  let lastValue = "";
  return async (exchange, next) => {
    exchange.callerAuthorization ??= exchange.headers.has("authorization");
    if (exchange.callerAuthorization) return next(exchange);
    for (;;) {
      // Awaited even when it is a string: the call yields here as it always has, before anything is sent.
      const token = await tokenFor(auth, exchange, timeoutMs);
      if (token !== lastToken) {
        lastValue = `Bearer ${token}`;
        lastToken = token;
      }
      exchange.headers.set("authorization", lastValue);
      const response = await next(exchange);
      // A 401 from another origin a redirect led to never saw the token: it says nothing about the token.
      if (response.status !== 401 || !answeredByTokenOrigin(response, exchange)) return response;
      // A rejected token is never sent again, whether or not this call is replayed.
      auth.invalidate(token);
      if (!replays || exchange.replayedUnauthorized) return response;
      exchange.replayedUnauthorized = true;
      if (log.infoEnabled) log.info(`${exchange.method} ${exchange.path} got 401; replaying once with a new token`);
    }
  };
}

/**
 * The bearer token on every attempt, and one replay with a fresh token after
 * a 401. A caller who sets `Authorization` on a call keeps it: no token, no replay.
 */
import { abortedError } from "../../errors.js";
import type { Log } from "../../logging.js";
import type { TokenSource } from "../auth.js";
import type { RetryPolicy } from "../retry.js";
import type { Exchange, Step } from "./exchange.js";

async function tokenFor(auth: TokenSource, exchange: Exchange): Promise<string> {
  try {
    const pending = auth.token(exchange.signal);
    return typeof pending === "string" ? pending : await pending;
  } catch (error) {
    if (exchange.signal?.aborted) throw abortedError(exchange.method, exchange.path, exchange.signal.reason);
    throw error;
  }
}

/** Whether the answer came from the origin the token was sent to (a redirect to another origin drops it). */
function answeredByTokenOrigin(response: Response, exchange: Exchange): boolean {
  if (!response.redirected || response.url === "") return true;
  try {
    return new URL(response.url).origin === new URL(exchange.url).origin;
  } catch {
    return true;
  }
}

export function authStep(auth: TokenSource, retry: RetryPolicy, log: Log): Step {
  const replays = auth.renewable && retry.replaysUnauthorized;
  return async (exchange, next) => {
    exchange.callerAuthorization ??= exchange.headers.has("authorization");
    if (exchange.callerAuthorization) return next(exchange);
    for (;;) {
      const token = await tokenFor(auth, exchange);
      exchange.headers.set("authorization", `Bearer ${token}`);
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

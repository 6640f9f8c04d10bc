/**
 * Attempts: after a failed attempt or a retryable status, waits as the
 * retry policy says (backoff, `Retry-After`) and tries again. The decision is
 * the policy's (../retry.ts); this step only loops.
 */
import { abortedError } from "../../errors.js";
import type { Log } from "../../logging.js";
import { serverRequestedDelay, type CallKind, type RetryPolicy } from "../retry.js";
import { sleep } from "../timeouts.js";
import { AttemptFailure, type Exchange, type Step } from "./exchange.js";

function pause(ms: number, exchange: Exchange): Promise<void> {
  return sleep(ms, exchange.signal).catch(() => {
    throw abortedError(exchange.method, exchange.path, exchange.signal?.reason);
  });
}

export function retryStep(retry: RetryPolicy, log: Log): Step {
  return async (exchange, next) => {
    const kind: CallKind = { method: exchange.method, idempotencyKey: exchange.idempotencyKey };
    for (let attempt = 1; ; attempt++) {
      exchange.attempt = attempt;
      let response: Response;
      try {
        response = await next(exchange);
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        const delay = retry.afterFailure(kind, error.underlying, attempt);
        if (delay === undefined) throw error.failure;
        if (log.infoEnabled) log.info(`${error.failure.message} Retry ${attempt} in ${delay} ms.`);
        await pause(delay, exchange);
        continue;
      }
      const status = response.status;
      if (status < 400) return response;
      const delay = retry.afterStatus(kind, status, attempt, await serverRequestedDelay(response));
      if (delay === undefined) return response;
      if (log.infoEnabled) log.info(`${exchange.method} ${exchange.path} got ${status}; retry ${attempt} in ${delay} ms`);
      await pause(delay, exchange);
    }
  };
}

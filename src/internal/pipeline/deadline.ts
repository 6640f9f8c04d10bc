/**
 * Each attempt's time limit (no progress for `timeoutMs`), joined with the
 * caller's signal; turns what went wrong beneath into the typed error to show.
 */
import { abortedError, attemptTimeoutError, connectionError, GreenLakeError } from "../../errors.js";
import { AttemptDeadline, DeadlineTimer } from "../timeouts.js";
import { AttemptFailure, type Step } from "./exchange.js";

export function deadlineStep(clientTimeoutMs: number, timer: DeadlineTimer = new DeadlineTimer()): Step {
  // One timer for every attempt of the client, armed for the earliest deadline only.
  return async (exchange, next) => {
    const timeoutMs = exchange.call.timeoutMs ?? clientTimeoutMs;
    const deadline = new AttemptDeadline(exchange.signal, timeoutMs, timer);
    exchange.deadline = deadline;
    exchange.receiving = false;
    try {
      return await next(exchange);
    } catch (error) {
      if (deadline.callerAborted) throw abortedError(exchange.method, exchange.path, exchange.signal?.reason);
      // Already final (a body past maxResponseBytes): not an attempt to retry.
      if (error instanceof GreenLakeError) throw error;
      const { method, url, path, receiving } = exchange;
      const failure = deadline.timedOut ? attemptTimeoutError(method, path, timeoutMs, receiving, error) : connectionError(method, url, error, receiving);
      throw new AttemptFailure(failure, error);
    } finally {
      deadline.clear();
      exchange.deadline = undefined;
    }
  };
}

/**
 * Pacing within the stated rate limits: a start is booked before the
 * attempt (after the token is in hand, so a slow token request cannot bunch
 * the starts pacing spread out), and the answer's rate-limit headers or a
 * 429's wait pace the calls after it. The budgets are ../pacing.ts.
 */
import { abortedError } from "../../errors.js";
import type { ServicePacing } from "../pacing.js";
import type { Step } from "./exchange.js";

export function pacingStep(pacing: ServicePacing, clientTimeoutMs: number): Step {
  return async (exchange, next) => {
    let ticket: ReturnType<ServicePacing["acquire"]>;
    try {
      // The shared store may cost this call no more than its own time limit (pacing.ts caps it further).
      ticket = pacing.acquire(exchange.method, exchange.url, exchange.signal, exchange.call.timeoutMs ?? clientTimeoutMs);
      if (ticket instanceof Promise) ticket = await ticket;
    } catch (error) {
      if (exchange.signal?.aborted) throw abortedError(exchange.method, exchange.path, exchange.signal.reason);
      throw error;
    }
    let response: Response;
    try {
      response = await next(exchange);
    } catch (error) {
      if (ticket) pacing.release(ticket);
      throw error;
    }
    const settled = ticket && pacing.settle(ticket, response);
    if (settled) await settled;
    return response;
  };
}

/** One debug line per attempt's answer (only in the pipeline when debug logging is on). */
import type { Log } from "../../logging.js";
import type { Step } from "./exchange.js";

export function logStep(log: Log): Step {
  return async (exchange, next) => {
    const response = await next(exchange);
    const attempt = exchange.attempt;
    log.debug(`${exchange.method} ${exchange.path} -> ${response.status}${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
    return response;
  };
}

/** One `Idempotency-Key` per logical call to an operation that declares one, the same on every attempt. */
import { ensureIdempotencyKey } from "../idempotency.js";
import type { Step } from "./exchange.js";

export function idempotencyStep(declares: (method: string, url: string) => boolean): Step {
  return (exchange, next) => {
    if (declares(exchange.method, exchange.url)) exchange.idempotencyKey = ensureIdempotencyKey(exchange.headers);
    return next(exchange);
  };
}

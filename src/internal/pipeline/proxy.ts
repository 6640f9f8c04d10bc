/** The client's proxy carries every call that names no dispatcher of its own. */
import type { Dispatcher } from "undici";
import type { Proxy } from "../proxy.js";
import type { Step } from "./exchange.js";

export function proxyStep(proxy: Proxy): Step {
  return async (exchange, next) => {
    exchange.dispatcher ??= (await proxy.dispatcher()) as Dispatcher;
    return next(exchange);
  };
}

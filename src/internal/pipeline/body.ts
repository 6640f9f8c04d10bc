/** The request body read once into bytes, so every attempt and redirect re-sends the same bytes. */
import type { Step } from "./exchange.js";

export const bodyStep: Step = async (exchange, next) => {
  const request = exchange.request;
  if (request.body !== null) exchange.body = new Uint8Array(await request.arrayBuffer());
  return next(exchange);
};

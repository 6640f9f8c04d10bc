/** The request body read once into bytes, so every attempt and redirect re-sends the same bytes. */
import { bodyBytesOf } from "../call-request.js";
import type { Step } from "./exchange.js";

export const bodyStep: Step = (exchange, next) => {
  const bytes = bodyBytesOf(exchange.request);
  if (!(bytes instanceof Promise)) {
    exchange.body = bytes;
    return next(exchange);
  }
  return bytes.then((read) => {
    exchange.body = read;
    return next(exchange);
  });
};

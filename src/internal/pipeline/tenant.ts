/** The `Tenant-Acid` header of one call (MSP), checked as any header value. */
import { checkHeaderValue } from "../../options.js";
import type { Step } from "./exchange.js";

export const tenantStep: Step = (exchange, next) => {
  const acid = exchange.call.tenantAcid;
  if (acid !== undefined) exchange.headers.set("Tenant-Acid", checkHeaderValue(acid, "tenantAcid"));
  return next(exchange);
};

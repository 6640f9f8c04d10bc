/**
 * Operations that declare an `Idempotency-Key` header get one key per
 * logical call, the same on every attempt, so the server applies a replayed
 * call once; that makes them safe to retry after an ambiguous failure.
 */
import { nodeCrypto } from "./node-crypto.js";
import type { ServiceMetadata } from "../metadata.js";
import { operationMatcher } from "./operation-match.js";

/** Whether a call goes to an operation that declares `Idempotency-Key`; `undefined` when the service has none. */
export function idempotentOperations(metadata: ServiceMetadata): ((method: string, url: string) => boolean) | undefined {
  const matcher = operationMatcher(metadata, (op) => op.idempotencyKey === true);
  return matcher && ((method, url) => matcher(method, url) !== undefined);
}

/** Gives the call a key unless the caller chose one; the headers are copied onto every attempt. */
export function ensureIdempotencyKey(headers: Headers): true {
  if (!headers.has("idempotency-key")) headers.set("Idempotency-Key", nodeCrypto().randomUUID());
  return true;
}

/**
 * node:crypto, loaded when first used: loading it costs about as much as
 * loading openapi-fetch, and most processes need it only for an idempotency
 * key, a page fingerprint, a pacing key or the shared store, if at all.
 */
import { createRequire } from "node:module";

type NodeCrypto = typeof import("node:crypto");

let loaded: NodeCrypto | undefined;

/** The node:crypto module, loaded on the first call. */
export function nodeCrypto(): NodeCrypto {
  return (loaded ??= createRequire(import.meta.url)("node:crypto") as NodeCrypto);
}

/**
 * HMAC-SHA256 over the raw body with WebCrypto (`crypto.subtle`), so it runs
 * on Node 20, Deno, Bun and Workers alike; hex as GreenLake writes it, and a
 * comparison whose time does not depend on where two values differ.
 */

/** Raw bytes as received: a string (UTF-8), a Uint8Array (a Node Buffer is one) or an ArrayBuffer. */
export type RawBody = string | Uint8Array | ArrayBuffer;

const encoder = new TextEncoder();

export function bytesOf(body: RawBody): Uint8Array {
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  return new Uint8Array(body);
}

function subtle(): SubtleCrypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.subtle === undefined) throw new Error("WebCrypto (globalThis.crypto.subtle) is not available in this runtime; it is needed to check GreenLake's HMAC-SHA256 signatures.");
  return c.subtle;
}

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Lowercase hex of HMAC-SHA256(secret, data). */
export async function hmacHex(secret: string, data: RawBody): Promise<string> {
  checkSecret(secret);
  const mac = await subtle().sign("HMAC", await subtle().importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]), bytesOf(data) as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(mac));
}

/** The header value GreenLake sends: `sha256=<hex>`. */
export async function signatureHeader(secret: string, body: RawBody): Promise<string> {
  return `sha256=${await hmacHex(secret, body)}`;
}

/** Equal strings, compared in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const length = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export function checkSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new TypeError("A webhook secret must be a non-empty string (GreenLake accepts 4 to 100 characters): pass the secret you registered the webhook with.");
  }
}

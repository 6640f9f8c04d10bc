/**
 * Checks one delivery from GreenLake: the HMAC-SHA256 signature of the raw
 * body against one or two secrets (`HPE-Webhook-Signature`, and
 * `hpe-webhook-signature2` while a `secondarySecret` is set), then the body
 * (a CloudEvent or an array of them), then, when asked, age and replay.
 * Also the answers to GreenLake's verification challenge and to Compute Ops
 * Management's handshake.
 */
import { GreenLakeWebhookError } from "./errors.js";
import { cloudEventProblem, VERIFICATION_EVENT_TYPE, type GreenLakeEvent } from "./events.js";
import type { SeenStore } from "./seen.js";
import { bytesOf, checkSecret, constantTimeEqual, hmacHex, type RawBody } from "./signature.js";

export const SIGNATURE_HEADER = "hpe-webhook-signature";
export const SECOND_SIGNATURE_HEADER = "hpe-webhook-signature2";
export const COM_CHALLENGE_HEADER = "x-compute-ops-mgmt-verification-challenge";
export const COM_EVENT_TYPE_HEADER = "x-compute-ops-mgmt-event-type";

/** Request headers as a WHATWG `Headers` or a Node `IncomingHttpHeaders`-like object. */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** One secret, or two (`[secret, secondarySecret]`) while rotating. */
export type Secrets = string | readonly string[];

export interface VerifyWebhookOptions {
  /** The raw body exactly as received: bytes or a string. Not a parsed object. */
  readonly body: RawBody;
  readonly headers: HeadersLike;
  /** The webhook's secret, or `[secret, secondarySecret]` while rotating. */
  readonly secrets: Secrets;
  /** Refuse events whose `time` is older than this; default: no limit. */
  readonly maxAgeSeconds?: number;
  /** Refuse (reason `replayed`) events whose id this store already holds; ids are claimed for `ttlSeconds`. */
  readonly seen?: SeenStore;
  /** Clock for `maxAgeSeconds`, ms since the epoch; default `Date.now`. */
  readonly now?: () => number;
}

/** Which header and which secret verified a delivery (secret by position: 0 primary, 1 secondary). */
export interface SignatureMatch {
  readonly header: typeof SIGNATURE_HEADER | typeof SECOND_SIGNATURE_HEADER;
  readonly secretIndex: number;
}

/** One header's value, whatever the headers object; a repeated header counts as absent-if-empty, else its first value. */
export function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).has === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | readonly string[] | undefined>;
  let value = record[name];
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) return value.length === 0 ? undefined : String(value[0]);
  return typeof value === "string" ? value : undefined;
}

export function secretList(secrets: Secrets): readonly string[] {
  const list = typeof secrets === "string" ? [secrets] : [...secrets];
  if (list.length === 0 || list.length > 2) throw new TypeError("secrets: pass the webhook's secret, or [secret, secondarySecret] while rotating (one or two strings).");
  for (const s of list) checkSecret(s);
  return list;
}

function refuseParsed(body: unknown): asserts body is RawBody {
  if (typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer) return;
  const what = body === null ? "null" : Array.isArray(body) ? "an array" : typeof body === "object" ? "a parsed object" : typeof body;
  throw new TypeError(
    `verifyWebhook needs the raw body (a string, Buffer, Uint8Array or ArrayBuffer), got ${what}: the signature covers the exact bytes GreenLake sent, ` +
      "and JSON.stringify of a parsed body does not give them back. Read the body raw (express.raw({ type: 'application/json' }), " +
      "Fastify's parseAs: 'buffer', Hono's c.req.arrayBuffer()).",
  );
}

const SIGNATURE_FORMAT = /^sha256=[0-9a-f]{64}$/;

/**
 * Which of the signature headers matches which secret, or why none does. Every header is compared
 * with every secret, in constant time each, so the time taken says nothing about which one was close.
 */
export async function matchSignature(body: RawBody, headers: HeadersLike, secrets: Secrets): Promise<SignatureMatch> {
  refuseParsed(body);
  const list = secretList(secrets);
  const bytes = bytesOf(body);
  const sent: Array<[SignatureMatch["header"], string]> = [];
  for (const name of [SIGNATURE_HEADER, SECOND_SIGNATURE_HEADER] as const) {
    const value = headerValue(headers, name)?.trim();
    if (value !== undefined && value !== "") sent.push([name, value]);
  }
  if (sent.length === 0) {
    throw new GreenLakeWebhookError("missing-signature", "The delivery has no HPE-Webhook-Signature header: it was not signed by GreenLake, or a proxy dropped the header. Refuse it.");
  }
  const expected = await Promise.all(list.map(async (secret) => `sha256=${await hmacHex(secret, bytes)}`));
  let match: SignatureMatch | undefined;
  for (const [header, value] of sent) {
    for (let i = 0; i < expected.length; i++) {
      if (constantTimeEqual(value, expected[i]!) && match === undefined) match = { header, secretIndex: i };
    }
  }
  if (match !== undefined) return match;
  const malformed = sent.filter(([, v]) => !SIGNATURE_FORMAT.test(v)).map(([h]) => h);
  const why =
    malformed.length > 0
      ? `${malformed.join(" and ")} is not of the form sha256=<64 lowercase hex digits>`
      : `no signature header matches ${list.length === 1 ? "the secret" : "either secret"} over the raw body`;
  throw new GreenLakeWebhookError(
    "bad-signature",
    `The delivery's signature is wrong: ${why}. Check that the body is the raw bytes received (not re-serialized JSON) and that the secret is the one registered with the webhook.`,
  );
}

/** The events of a verified body: one CloudEvent, or a JSON array of them (batching). */
export function parseEvents(body: RawBody): GreenLakeEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytesOf(body)));
  } catch {
    throw new GreenLakeWebhookError("malformed-body", "The delivery's body is not UTF-8 JSON although its signature is valid; GreenLake sends a CloudEvent or a JSON array of CloudEvents.");
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  if (events.length === 0) throw new GreenLakeWebhookError("malformed-body", "The delivery's body is an empty array; a batch holds at least one CloudEvent.");
  events.forEach((event, i) => {
    const problem = cloudEventProblem(event, Array.isArray(parsed) ? `event ${i} of the batch` : "the body");
    if (problem !== undefined) throw new GreenLakeWebhookError("malformed-body", `The delivery is not a CloudEvent: ${problem}.`);
  });
  return events as GreenLakeEvent[];
}

/** Events whose `time` lies more than `maxAgeSeconds` before `now`. */
export function tooOld(events: readonly GreenLakeEvent[], maxAgeSeconds: number | undefined, now: number): GreenLakeEvent[] {
  if (maxAgeSeconds === undefined) return [];
  if (!(maxAgeSeconds >= 0)) throw new TypeError("maxAgeSeconds must be a number of seconds, 0 or more.");
  return events.filter((e) => typeof e.time === "string" && now - Date.parse(e.time) > maxAgeSeconds * 1000);
}

/**
 * Verifies a delivery and returns its events (always an array). Throws `GreenLakeWebhookError`
 * with `reason` `missing-signature`, `bad-signature`, `malformed-body`, `too-old` or `replayed`.
 * With `seen`, the events' ids are claimed: a second delivery of any of them is `replayed`.
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<GreenLakeEvent[]> {
  const { body, headers, secrets } = options;
  await matchSignature(body, headers, secrets);
  const events = parseEvents(body);
  const old = tooOld(events, options.maxAgeSeconds, (options.now ?? Date.now)());
  if (old.length > 0) {
    throw new GreenLakeWebhookError("too-old", `${old.length} event(s) of the delivery are older than ${options.maxAgeSeconds} s (their time attribute); refused as a possible replay.`, old.map((e) => e.id));
  }
  if (options.seen !== undefined) {
    const claimed: string[] = [];
    for (const event of events) {
      if (await options.seen.claim(event.id)) {
        claimed.push(event.id);
        continue;
      }
      for (const id of claimed) await options.seen.release(id);
      throw new GreenLakeWebhookError("replayed", `Event ${JSON.stringify(event.id)} was already received (its id is in the seen store): a retry or a replay; do not process it twice.`, [event.id]);
    }
  }
  return events;
}

/**
 * The answer to GreenLake's verification challenge: `{ verification: hex(HMAC-SHA256(secret, challengeRequest)) }`,
 * to send with status 200. Verify the challenge's signature first (the handler does): answering an unsigned
 * challenge would sign any text an attacker chose.
 */
export async function answerChallenge(event: GreenLakeEvent, secret: string): Promise<{ verification: string }> {
  if (event.type !== VERIFICATION_EVENT_TYPE) throw new TypeError(`answerChallenge: the event is of type ${JSON.stringify(event.type)}, not ${VERIFICATION_EVENT_TYPE}.`);
  const data = event.data as { challengeRequest?: unknown } | undefined;
  if (typeof data?.challengeRequest !== "string") throw new GreenLakeWebhookError("malformed-body", "The verification challenge has no data.challengeRequest string.", [event.id]);
  return { verification: await hmacHex(secret, data.challengeRequest) };
}

/**
 * Compute Ops Management's handshake: a GET carrying `x-compute-ops-mgmt-verification-challenge`, answered 200 with
 * `{ verification: <the header's value> }`. Returns undefined when the request is not a handshake.
 */
export function answerComHandshake(headers: HeadersLike): { verification: string } | undefined {
  const value = headerValue(headers, COM_CHALLENGE_HEADER);
  return value === undefined || value === "" ? undefined : { verification: value };
}

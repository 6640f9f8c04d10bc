/**
 * A receiver for GreenLake webhooks, as a Node `(req, res)` listener and as a
 * WHATWG `(Request) => Promise<Response>` (Hono, Next.js route handlers,
 * Workers, Deno, Bun). It answers the rate negotiation (`OPTIONS`), the
 * verification challenge and Compute Ops Management's handshake, verifies
 * every delivery, skips events already received (a pluggable `seen` store)
 * or too old, calls `onEvent` for each event of a batch, and answers with the
 * status HPE's table gives the meaning wanted: 200 delivered, 503 or 429 to
 * have GreenLake retry, 413 for a body over the limit.
 */
import { GreenLakeWebhookError } from "./errors.js";
import { VERIFICATION_EVENT_TYPE, type CloudEvent, type GreenLakeEvent } from "./events.js";
import { memorySeenStore, type SeenStore } from "./seen.js";
import { bytesOf, constantTimeEqual } from "./signature.js";
import {
  answerChallenge,
  answerComHandshake,
  COM_EVENT_TYPE_HEADER,
  headerValue,
  matchSignature,
  parseEvents,
  secretList,
  tooOld,
  type HeadersLike,
  type Secrets,
} from "./verify.js";

/** What `onEvent` returns to have GreenLake deliver the event again later. */
export interface WebhookRetry {
  readonly retry: true;
  /** 503 (retry later) or 429 (slow down); both are in HPE's list of retried statuses. */
  readonly status: 503 | 429;
  readonly retryAfterSeconds?: number;
}

/** Asks GreenLake to deliver again later (503, optionally with Retry-After). */
export function retryLater(retryAfterSeconds?: number): WebhookRetry {
  return { retry: true, status: 503, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
}

/** Asks GreenLake to slow down and deliver again (429, optionally with Retry-After). */
export function slowDown(retryAfterSeconds?: number): WebhookRetry {
  return { retry: true, status: 429, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
}

export interface WebhookEventContext {
  /** Every event of the delivery (one, or a batch). */
  readonly batch: readonly GreenLakeEvent[];
  /** Where it came from: the GreenLake platform (signed) or Compute Ops Management (header-authenticated). */
  readonly origin: "platform" | "compute-ops-mgmt";
}

export interface ComWebhookOptions {
  /** The header you configured on the Compute Ops Management webhook to authenticate it, e.g. `authorization`. */
  readonly authHeader: string;
  /** Its value; compared in constant time. */
  readonly authValue: string;
}

export interface WebhookHandlerOptions {
  /** The webhook's secret, or `[secret, secondarySecret]` while rotating. The challenge is answered with the first. */
  readonly secrets: Secrets;
  /** Called once per new event, in order; return `retryLater()`/`slowDown()` (or throw: 503) to have GreenLake retry. */
  readonly onEvent: (event: GreenLakeEvent, context: WebhookEventContext) => void | WebhookRetry | Promise<void | WebhookRetry>;
  /** Answer to GreenLake's rate negotiation (`WebHook-Allowed-Rate`): events per minute, or `"*"` for any rate. */
  readonly allowedRate?: number | "*";
  /** Where received event ids are kept; default in memory for 24 h (`memorySeenStore()`); `false` to process every delivery. */
  readonly seen?: SeenStore | false;
  /** Events whose `time` is older are acknowledged (200) and not passed to `onEvent`. */
  readonly maxAgeSeconds?: number;
  /** Accept Compute Ops Management webhooks too, authenticated by the header you configured on them. */
  readonly com?: ComWebhookOptions;
  /** Largest body accepted; larger ones get 413 (GreenLake retries those). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Told of every refused delivery and every failure of `onEvent` (no secret is in them). */
  readonly onError?: (error: unknown) => void;
  /** Clock for `maxAgeSeconds`, ms since the epoch; default `Date.now`. */
  readonly now?: () => number;
}

/** A request reduced to what the handler reads; `body` undefined when there is none. */
export interface WebhookRequest {
  readonly method: string;
  readonly headers: HeadersLike;
  readonly body: Uint8Array | string | undefined;
}

export interface WebhookAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type NodeRequest = AsyncIterable<unknown> & {
  readonly method?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Set by body-parsing middleware (express.raw gives a Buffer). */
  readonly body?: unknown;
};
type NodeResponse = { writeHead(status: number, headers: Record<string, string>): unknown; end(body?: string): unknown };

export interface WebhookHandler {
  /** Node's `http.createServer(handler.node)`, or Express with `express.raw({ type: "*\/*" })` before it. */
  readonly node: (req: NodeRequest, res: NodeResponse) => Promise<void>;
  /** WHATWG: Hono (`app.all("/webhook", (c) => handler.fetch(c.req.raw))`), Next.js route handlers, Workers, Deno, Bun. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** The decision alone, for frameworks that hand you the raw body themselves (Fastify). */
  readonly handle: (request: WebhookRequest) => Promise<WebhookAnswer>;
}

const DEFAULT_MAX_BODY = 1 << 20;

function json(status: number, body: unknown, headers: Record<string, string> = {}): WebhookAnswer {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

const message = (status: number, text: string, headers: Record<string, string> = {}) => json(status, { message: text }, headers);

class BodyTooLarge extends Error {}

export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const secrets = secretList(options.secrets);
  if (typeof options.onEvent !== "function") throw new TypeError("createWebhookHandler: onEvent must be a function called with each event.");
  const rate = options.allowedRate;
  if (rate !== undefined && rate !== "*" && !(Number.isInteger(rate) && rate > 0)) throw new TypeError('allowedRate must be a positive whole number of events per minute, or "*".');
  const seen: SeenStore | undefined = options.seen === false ? undefined : (options.seen ?? memorySeenStore());
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  // NaN (Number of an unset variable) would turn the limit off; checked here, not at the first delivery.
  if (!(Number.isSafeInteger(maxBody) && maxBody > 0)) throw new TypeError("maxBodyBytes must be a positive whole number of bytes (default 1 MiB).");
  const maxAge = options.maxAgeSeconds;
  if (maxAge !== undefined && !(typeof maxAge === "number" && Number.isFinite(maxAge) && maxAge >= 0)) throw new TypeError("maxAgeSeconds must be a number of seconds, 0 or more.");
  const now = options.now ?? Date.now;
  const com = options.com;
  if (com !== undefined && (typeof com.authHeader !== "string" || com.authHeader === "" || typeof com.authValue !== "string" || com.authValue === "")) {
    throw new TypeError("com: give the authHeader and authValue you configured on the Compute Ops Management webhook; its deliveries carry no signature.");
  }
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // A failing reporter must not change the answer GreenLake gets.
    }
  };

  const comAuthentic = (headers: HeadersLike) => constantTimeEqual(headerValue(headers, com!.authHeader.toLowerCase()) ?? "", com!.authValue);

  /** onEvent for each fresh event; the first retry asked stops the batch and gives back the ids not processed. */
  const process = async (events: readonly GreenLakeEvent[], origin: WebhookEventContext["origin"]): Promise<WebhookAnswer> => {
    const old = new Set(tooOld(events, options.maxAgeSeconds, now()));
    let delivered = 0;
    let skipped = 0;
    for (const event of events) {
      if (old.has(event)) {
        skipped++;
        continue;
      }
      const id = typeof event.id === "string" && event.id !== "" ? event.id : undefined;
      if (seen !== undefined && id !== undefined && !(await seen.claim(id))) {
        skipped++;
        continue;
      }
      let outcome: void | WebhookRetry;
      try {
        outcome = await options.onEvent(event, { batch: events, origin });
      } catch (error) {
        report(error);
        outcome = retryLater();
      }
      if (outcome !== undefined && (outcome as WebhookRetry).retry === true) {
        if (seen !== undefined && id !== undefined) await seen.release(id);
        const retry = outcome as WebhookRetry;
        // Delta-seconds as RFC 9110 writes them: whole, 0 to 2^31 - 1 (String(1e21) would be "1e+21"); NaN or Infinity: no header.
        const seconds = retry.retryAfterSeconds;
        const after: Record<string, string> = typeof seconds === "number" && Number.isFinite(seconds) ? { "retry-after": String(Math.min(Math.max(0, Math.ceil(seconds)), 2_147_483_647)) } : {};
        return message(retry.status === 429 ? 429 : 503, `Event ${delivered + skipped + 1} of ${events.length} was not processed; deliver it again.`, after);
      }
      delivered++;
    }
    return json(200, { received: events.length, processed: delivered, skipped });
  };

  const platform = async (request: WebhookRequest): Promise<WebhookAnswer> => {
    const body = request.body ?? "";
    let events: GreenLakeEvent[];
    try {
      await matchSignature(body, request.headers, secrets);
      events = parseEvents(body);
    } catch (error) {
      if (!(error instanceof GreenLakeWebhookError)) throw error;
      report(error);
      return message(error.reason === "malformed-body" ? 400 : 401, error.message);
    }
    const [first] = events;
    if (events.length === 1 && first!.type === VERIFICATION_EVENT_TYPE) {
      try {
        return json(200, await answerChallenge(first!, secrets[0]!));
      } catch (error) {
        report(error);
        return message(400, error instanceof Error ? error.message : "The verification challenge is malformed.");
      }
    }
    return process(events, "platform");
  };

  const computeOpsMgmt = async (request: WebhookRequest, type: string): Promise<WebhookAnswer> => {
    let data: unknown;
    try {
      data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytesOf(request.body ?? "")));
    } catch {
      const error = new GreenLakeWebhookError("malformed-body", "The Compute Ops Management delivery's body is not UTF-8 JSON.");
      report(error);
      return message(400, error.message);
    }
    const record = typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
    const id = typeof record.id === "string" ? record.id : "";
    const event: CloudEvent = typeof record.specversion === "string" ? { ...(record as unknown as CloudEvent), type } : { specversion: "1.0", id, source: "compute-ops-mgmt", type, data };
    return process([event], "compute-ops-mgmt");
  };

  const handle = async (request: WebhookRequest): Promise<WebhookAnswer> => {
    const method = request.method.toUpperCase();
    if (method === "OPTIONS") {
      const origin = headerValue(request.headers, "webhook-request-origin");
      if (origin === undefined) return { status: 204, headers: { allow: "GET, POST, OPTIONS" }, body: "" };
      const headers: Record<string, string> = { "webhook-allowed-origin": origin };
      if (rate !== undefined) headers["webhook-allowed-rate"] = String(rate);
      return { status: 200, headers, body: "" };
    }
    if (com !== undefined && (method === "GET" || headerValue(request.headers, COM_EVENT_TYPE_HEADER) !== undefined)) {
      if (!comAuthentic(request.headers)) {
        const error = new GreenLakeWebhookError("missing-signature", `The Compute Ops Management request lacks the ${com.authHeader} header configured on the webhook, or its value differs.`);
        report(error);
        return message(401, error.message);
      }
      if (method === "GET") {
        const answer = answerComHandshake(request.headers);
        return answer === undefined ? message(400, "A GET to this webhook must be Compute Ops Management's handshake (x-compute-ops-mgmt-verification-challenge).") : json(200, answer);
      }
      if (method === "POST") return computeOpsMgmt(request, headerValue(request.headers, COM_EVENT_TYPE_HEADER)!);
    }
    if (method !== "POST") return message(405, `${method} is not how GreenLake delivers events; it POSTs them.`, { allow: com === undefined ? "POST, OPTIONS" : "GET, POST, OPTIONS" });
    return platform(request);
  };

  const tooLarge = () => message(413, `The body is larger than ${maxBody} bytes, this receiver's limit (maxBodyBytes).`, { connection: "close" });

  const safely = async (request: WebhookRequest): Promise<WebhookAnswer> => {
    // handle() gets bodies its caller read (Fastify): the limit holds there too.
    if (request.body !== undefined && bytesOf(request.body).length > maxBody) return tooLarge();
    try {
      return await handle(request);
    } catch (error) {
      // The seen store or the runtime failed: let GreenLake retry rather than lose the event.
      report(error);
      return message(503, "The receiver could not process the delivery now; deliver it again.");
    }
  };

  const node: WebhookHandler["node"] = async (req, res) => {
    const send = (answer: WebhookAnswer) => {
      res.writeHead(answer.status, { ...answer.headers, "content-length": String(new TextEncoder().encode(answer.body).length) });
      res.end(answer.body);
    };
    let body: Uint8Array | string | undefined;
    const parsed = req.body;
    if (parsed !== undefined && parsed !== null && !(typeof parsed === "object" && Object.keys(parsed).length === 0 && !(parsed instanceof Uint8Array))) {
      if (typeof parsed !== "string" && !(parsed instanceof Uint8Array)) {
        const error = new TypeError("The request body was already parsed by a middleware (req.body is an object): give this route the raw body, e.g. express.raw({ type: '*/*' }), since the signature covers the exact bytes.");
        report(error);
        send(message(500, error.message));
        return;
      }
      body = parsed;
      if (bytesOf(body).length > maxBody) return send(tooLarge());
    } else {
      const declared = Number(headerValue(req.headers, "content-length"));
      // The rest of the body is not read: the connection closes after the answer.
      if (declared > maxBody) return send(tooLarge());
      try {
        body = await readLimited(req, maxBody);
      } catch (error) {
        if (error instanceof BodyTooLarge) return send(tooLarge());
        // The client went away mid-body: nothing to answer, and a rejection here would be unhandled in http.createServer.
        report(error);
        return;
      }
    }
    send(await safely({ method: req.method ?? "GET", headers: req.headers, body }));
  };

  const fetchHandler: WebhookHandler["fetch"] = async (request) => {
    const declared = Number(request.headers.get("content-length"));
    let body: Uint8Array | undefined;
    if (declared > maxBody) return toResponse(tooLarge());
    try {
      body = request.body === null ? undefined : await readLimited(chunksOf(request.body), maxBody);
    } catch (error) {
      if (error instanceof BodyTooLarge) return toResponse(tooLarge());
      report(error);
      return toResponse(message(400, "The request body could not be read to its end; deliver it again."));
    }
    return toResponse(await safely({ method: request.method, headers: request.headers, body }));
  };

  return { node, fetch: fetchHandler, handle: safely };
}

function toResponse(answer: WebhookAnswer): Response {
  return new Response(answer.body === "" ? null : answer.body, { status: answer.status, headers: answer.headers });
}

/** A WHATWG stream's chunks through its reader (not every runtime makes the stream itself async-iterable). */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Reads a body, giving up as soon as it passes `limit` bytes. */
async function readLimited(stream: AsyncIterable<unknown>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
    size += bytes.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(bytes);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

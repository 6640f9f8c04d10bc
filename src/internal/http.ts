/**
 * The HTTP layer: undici's public `request` (with its global dispatcher, or
 * a dispatcher per call such as a `ProxyAgent`), one path from the first call
 * on. On a 22 KB JSON page, Node's own `fetch` spends most of a call building
 * web streams, Request/Response objects and signal plumbing; `request` reads
 * the same bytes into a Buffer and hands back one small Response built from
 * them. Semantics kept: the body is read completely before the Response is
 * returned (so a time limit or abort signal covers the whole body, a stalled
 * body ends with an error, and a body past `maxBytes` is refused), and
 * redirects are followed as fetch follows them (undici's redirect
 * interceptor differs: it keeps POST on 301/302 and returns the last redirect
 * instead of failing after too many).
 *
 * Tests intercept calls with undici's own means: `setGlobalDispatcher(new
 * MockAgent())`, a `dispatcher` per call, or a `fetch` given to the client.
 */
import type { EventEmitter } from "node:events";
import type { Dispatcher } from "undici";
import { GreenLakeError, responseTooLargeError, tooManyRedirectsError } from "../errors.js";
import { bufferedResponse } from "./responses.js";

/**
 * What ends an exchange early: an AbortSignal, or (as undici's `request` also
 * takes) an EventEmitter that emits "abort" and shows `aborted` and `reason`,
 * which costs far less to make than an AbortSignal.
 */
export type HttpSignal = AbortSignal | (EventEmitter & { readonly aborted: boolean; readonly reason: unknown });

/** One HTTP exchange, as the transport describes an attempt: no Request object needed. */
export interface HttpCall {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers | Readonly<Record<string, string>>;
  /** Sent as is on every redirect hop that keeps the method; `null` for none. */
  readonly body: Uint8Array | string | null;
  readonly signal?: HttpSignal | null | undefined;
  /** As fetch's `redirect`; default "follow". */
  readonly redirect?: RequestRedirect | undefined;
  /** An undici dispatcher (e.g. a `ProxyAgent`); default undici's global dispatcher. */
  readonly dispatcher?: Dispatcher | undefined;
  /** Called as each chunk of the answer arrives (a time limit measured from the last progress moves on). */
  readonly onProgress?: (() => void) | undefined;
  /** Longest answer body accepted, in bytes; a longer one fails the exchange with a typed error. */
  readonly maxBytes?: number | undefined;
}

/** Extra init keys the fetch-shaped function reads besides the Request. */
export interface HttpInit {
  signal?: AbortSignal | null | undefined;
  dispatcher?: Dispatcher | undefined;
  maxBytes?: number | undefined;
}

type UndiciRequest = typeof import("undici").request;

const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
// Sent on the same origin only: the credentials fetch drops after a cross-origin redirect, and the
// MSP tenant a call acts for (`Tenant-Acid`), which names a customer's account to whoever answers.
const ORIGIN_BOUND_HEADERS = ["authorization", "cookie", "proxy-authorization", "tenant-acid"];

let undiciRequest: UndiciRequest | undefined;
let loading: Promise<UndiciRequest> | undefined;

/** undici's `request`, loaded with the first call (a process that makes none never pays for it). */
function loadRequest(): Promise<UndiciRequest> {
  loading ??= import("undici").then((undici) => (undiciRequest = undici.request));
  return loading;
}

function headerRecord(headers: HttpCall["headers"]): Record<string, string> {
  if (!(headers instanceof Headers)) return { ...headers };
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/**
 * A header value as fetch shows it: one character per byte. undici's `request` decodes values as UTF-8 (bytes
 * that are not UTF-8 become U+FFFD), and Headers refuses characters past U+00FF, so a server's UTF-8 header
 * (a non-ASCII message, a file name) would otherwise fail the whole call.
 */
function byteString(value: string): string {
  return /[^\x00-\x7f]/.test(value) ? Buffer.from(value, "utf8").toString("latin1") : value;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  // undici already shows Content-Disposition one character per byte when Content-Length is also present.
  const byteView = "content-length" in raw && "content-disposition" in raw ? "content-disposition" : undefined;
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    const view = name === byteView ? (v: string) => v : byteString;
    if (typeof value === "string") headers.append(name, view(value));
    else for (const v of value) headers.append(name, view(v));
  }
  return headers;
}

/** A network failure, shaped as fetch reports one (`TypeError` with the cause), so retry rules read it alike. */
function networkError(error: unknown, signal: HttpSignal | null | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof GreenLakeError) return error;
  return new TypeError("fetch failed", { cause: error });
}

function readAll(body: Dispatcher.ResponseData["body"], call: HttpCall): Promise<Buffer> {
  const { onProgress, maxBytes = Number.POSITIVE_INFINITY } = call;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Refused as soon as it is too long: nothing past the limit is kept.
      if (size > maxBytes) {
        body.destroy();
        reject(responseTooLargeError(call.method, call.url, maxBytes));
        return;
      }
      chunks.push(chunk);
      onProgress?.();
    });
    body.on("error", reject);
    body.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  });
}

function finalResponse(status: number, headers: Headers, bytes: Buffer | null, url: string, redirected: boolean, method: string): Response {
  if (status < 200 || status > 599) throw new TypeError(`fetch failed: the server answered with status ${status}, outside 200-599`);
  return bufferedResponse(bytes, { status, headers }, url, redirected, method);
}

async function sendWithUndici(request: UndiciRequest, call: HttpCall): Promise<Response> {
  const dispatcher = call.dispatcher;
  const signal = call.signal ?? undefined;
  let url = call.url;
  let method = call.method.toUpperCase();
  let body = call.body;
  let headers = headerRecord(call.headers);
  const mode = call.redirect ?? "follow";
  for (let hop = 0; ; hop++) {
    let answer: Dispatcher.ResponseData;
    let bytes: Buffer | null;
    try {
      if (signal?.aborted) throw signal.reason;
      answer = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, signal, ...(dispatcher === undefined ? {} : { dispatcher }) });
      const location = answer.headers.location;
      if (mode !== "manual" && REDIRECT_STATUSES.has(answer.statusCode) && typeof location === "string") {
        await answer.body.dump();
        if (mode === "error") throw new Error(`redirect to ${new URL(location, url).origin} refused (redirect: "error")`);
        // Final, not a network failure to retry: the same loop would be followed again.
        if (hop >= MAX_REDIRECTS) throw tooManyRedirectsError(call.method, call.url, MAX_REDIRECTS);
        const next = new URL(location, url);
        if (next.protocol !== "http:" && next.protocol !== "https:") throw new Error(`redirect to a ${next.protocol} URL refused`);
        if (next.origin !== new URL(url).origin) {
          headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !ORIGIN_BOUND_HEADERS.includes(name.toLowerCase())));
        }
        // As fetch: 303 turns every method but HEAD into GET, 301/302 turn POST into GET; both drop the body.
        if ((answer.statusCode === 303 && method !== "HEAD") || ((answer.statusCode === 301 || answer.statusCode === 302) && method === "POST")) {
          method = "GET";
          body = null;
          headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.toLowerCase().startsWith("content-")));
        }
        url = next.href;
        continue;
      }
      const declared = Number(answer.headers["content-length"]);
      if (call.maxBytes !== undefined && declared > call.maxBytes) {
        answer.body.on("error", () => {}).destroy();
        throw responseTooLargeError(call.method, url, call.maxBytes);
      }
      bytes = method === "HEAD" ? (await answer.body.dump(), null) : await readAll(answer.body, call);
    } catch (error) {
      throw networkError(error, signal);
    }
    return finalResponse(answer.statusCode, responseHeaders(answer.headers), bytes, url, hop > 0, call.method);
  }
}

/** Loads undici once; `undefined` when it is loaded (so callers skip a wait). Its load is not part of any call's time limit. */
export function loadHttp(): Promise<unknown> | undefined {
  return undiciRequest === undefined ? loadRequest() : undefined;
}

/** Sends one exchange through undici and reads its whole answer. */
export function sendHttp(call: HttpCall): Promise<Response> {
  const request = undiciRequest;
  if (request !== undefined) return sendWithUndici(request, call);
  return loadRequest().then((loaded) => sendWithUndici(loaded, call));
}

/**
 * The same as a fetch-compatible function (for tests and tools that hold a
 * Request). `init.signal` replaces the Request's signal.
 */
export async function httpFetch(request: Request, init?: HttpInit): Promise<Response> {
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  return sendHttp({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body,
    signal: init?.signal !== undefined ? init.signal : request.signal,
    redirect: request.redirect,
    dispatcher: init?.dispatcher,
    maxBytes: init?.maxBytes,
  });
}

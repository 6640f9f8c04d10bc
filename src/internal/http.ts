/**
 * The HTTP layer: undici's public dispatcher API (`dispatch` with a handler,
 * on the global dispatcher or a dispatcher per call such as a `ProxyAgent`),
 * one path from the first call on. On a 22 KB JSON page, Node's own `fetch`
 * spends most of a call building web streams, Request/Response objects and
 * signal plumbing, and undici's `request` still an async resource and a body
 * stream per call; the handler here collects the same bytes as they arrive
 * and hands back one small Response built from them. Semantics kept: the body is read completely before the Response is
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
import { GreenLakeError, refusedRedirectError, responseTooLargeError, tooManyRedirectsError, undefinedStatusError } from "../errors.js";
import { bufferedResponse, declaresTooLong } from "./responses.js";

/**
 * What ends an exchange early: an AbortSignal, or (as undici's `request` also
 * takes) an EventEmitter that emits "abort" and shows `aborted` and `reason`,
 * which costs far less to make than an AbortSignal (about 10 µs on Node 20).
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

const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
// Sent on the same origin only: the credentials fetch drops after a cross-origin redirect, and the
// MSP tenant a call acts for (`Tenant-Acid`), which names a customer's account to whoever answers.
const ORIGIN_BOUND_HEADERS = ["authorization", "cookie", "proxy-authorization", "tenant-acid"];

// Read from a redirect's body before the connection is dropped instead (as undici's `dump()`).
const REDIRECT_BODY_LIMIT = 131_072;

let getGlobalDispatcher: typeof import("undici").getGlobalDispatcher | undefined;
let loading: Promise<unknown> | undefined;

/** undici, loaded with the first call (a process that makes none never pays for it); a failed load is tried again by the next call. */
function loadUndici(): Promise<unknown> {
  loading ??= import("undici").then(
    (undici) => (getGlobalDispatcher = undici.getGlobalDispatcher),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** An answer's header names and values as undici hands them over: name, value, name, value... */
type RawHeaders = readonly (Buffer | string)[];

/** Whether raw header name `part` is `name` (lower case), in any case: compared in place, no string made. */
function isName(part: Buffer | string, name: string): boolean {
  if (part.length !== name.length) return false;
  if (typeof part === "string") return part.toLowerCase() === name;
  for (let i = 0; i < name.length; i++) {
    let byte = part[i]!;
    if (byte >= 0x41 && byte <= 0x5a) byte |= 0x20;
    if (byte !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** The value of header `name` decoded as UTF-8 (as undici decodes it); undefined when absent or repeated. */
function singleHeader(raw: RawHeaders, name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (!isName(raw[i]!, name)) continue;
    if (found !== undefined) return undefined;
    const value = raw[i + 1]!;
    found = typeof value === "string" ? value : value.toString("utf8");
  }
  return found;
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
 * A header value a dispatcher handed over as text (a mock's), as fetch shows it: its UTF-8 bytes one character
 * per byte. Headers refuses characters past U+00FF, so a UTF-8 value would otherwise fail the whole call.
 */
function byteString(value: string): string {
  return /[^\x00-\x7f]/.test(value) ? Buffer.from(value, "utf8").toString("latin1") : value;
}

/**
 * The answer's headers, one character per byte as fetch shows them (values as sent, whatever their bytes),
 * for the Response made from them: by lower-case name in an object without prototype (the init a Response
 * reads fastest), or, when a name repeats, as name-value pairs the Response appends one by one as fetch
 * does (joined with ", ", each value trimmed on its own).
 */
function responseHeaders(raw: RawHeaders): Record<string, string> | [string, string][] {
  const byName: Record<string, string> = Object.create(null);
  for (let i = 0; i < raw.length; i += 2) {
    const name = nameText(raw[i]!).toLowerCase();
    // A `__proto__` header would not survive the Response's own copy of an object: pairs carry it.
    if (name in byName || name === "__proto__") return headerPairs(raw);
    byName[name] = valueText(raw[i + 1]!);
  }
  return byName;
}

function headerPairs(raw: RawHeaders): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([nameText(raw[i]!), valueText(raw[i + 1]!)]);
  return pairs;
}

/** A raw header name as fetch shows it: one character per byte. */
function nameText(name: Buffer | string): string {
  return typeof name === "string" ? name : name.toString("latin1");
}

/** A raw header value as fetch shows it: one character per byte (a dispatcher's text as its UTF-8 bytes). */
function valueText(value: Buffer | string): string {
  return typeof value === "string" ? byteString(value) : value.toString("latin1");
}

/** A network failure, shaped as fetch reports one (`TypeError` with the cause), so retry rules read it alike. */
function networkError(error: unknown, signal: HttpSignal | null | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof GreenLakeError) return error;
  return new TypeError("fetch failed", { cause: error });
}

/** One hop's answer, its body read whole (none for HEAD, nor for a redirect that is followed). */
interface Answer {
  readonly statusCode: number;
  readonly raw: RawHeaders;
  readonly bytes: Buffer | null;
}

/** Follows `signal` until the returned function is called (an AbortSignal or an emitter of "abort"). */
function onAbortOf(signal: HttpSignal, listener: () => void): () => void {
  if ("addEventListener" in signal) {
    signal.addEventListener("abort", listener, { once: true });
    return () => signal.removeEventListener("abort", listener);
  }
  signal.on("abort", listener);
  return () => signal.removeListener("abort", listener);
}

type Follows = (statusCode: number, raw: RawHeaders, mode: RequestRedirect) => boolean;

/**
 * The handler of one request on undici's dispatcher, and the promise of its
 * answer: one object per hop (its methods on the prototype), not a closure per callback.
 */
class AnswerHandler implements Dispatcher.DispatchHandlers {
  resolve!: (answer: Answer) => void;
  reject!: (error: unknown) => void;
  abort: ((error?: Error) => void) | undefined = undefined;
  done = false;
  statusCode = 0;
  raw: RawHeaders = [];
  redirect = false;
  size = 0;
  readonly chunks: Buffer[] = [];
  unfollow: (() => void) | undefined = undefined;

  constructor(
    readonly url: string,
    readonly method: string,
    readonly call: HttpCall,
    readonly maxBytes: number,
    readonly follows: Follows,
    readonly mode: RequestRedirect,
  ) {}

  finish(): void {
    this.done = true;
    this.unfollow?.();
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.finish();
    this.reject(error);
  }

  /** Ends the request on the wire, once the promise is settled. */
  stop(reason: unknown): void {
    this.abort?.(reason as Error);
  }

  onConnect(abortRequest: (error?: Error) => void): void {
    this.abort = abortRequest;
    if (this.done) abortRequest(new Error("exchange already ended"));
  }

  onHeaders(status: number, raw: Buffer[] | string[]): boolean {
    if (this.done || status < 200) return true; // informational answers are skipped, as undici's request skips them
    this.statusCode = status;
    this.raw = raw;
    this.redirect = this.follows(status, raw, this.mode);
    const call = this.call;
    if (!this.redirect && call.maxBytes !== undefined && declaresTooLong(this.method, status, singleHeader(raw, "content-length"), call.maxBytes)) {
      // Named for the call that was made, as the refusal while reading is.
      const error = responseTooLargeError(call.method, call.url, call.maxBytes);
      this.fail(error);
      this.stop(error);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return true;
    this.size += chunk.length;
    if (this.redirect) {
      // A redirect's body is dropped; one too long to read is cut off, and the redirect followed all the same.
      if (this.size > REDIRECT_BODY_LIMIT) {
        this.finish();
        this.resolve({ statusCode: this.statusCode, raw: this.raw, bytes: null });
        this.stop(new Error("redirect body dropped"));
      }
      return true;
    }
    // Refused as soon as it is too long: nothing past the limit is kept.
    if (this.size > this.maxBytes) {
      const error = responseTooLargeError(this.call.method, this.call.url, this.maxBytes);
      this.fail(error);
      this.stop(error);
      return true;
    }
    this.chunks.push(chunk);
    const onProgress = this.call.onProgress;
    onProgress?.();
    return true;
  }

  onComplete(): void {
    if (this.done) return;
    this.finish();
    const chunks = this.chunks;
    const bytes = this.redirect || this.method === "HEAD" ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    this.resolve({ statusCode: this.statusCode, raw: this.raw, bytes });
  }

  onError(error: Error): void {
    this.fail(error);
  }
}

/**
 * One request on undici's dispatcher (its public `dispatch` with a handler,
 * as undici's own `request` makes one), the answer's body collected as it
 * arrives: no stream, no per-request async resource. `follows` says whether
 * an answer is a redirect to follow (its body is then dropped).
 */
function exchange(
  dispatcher: Dispatcher,
  url: string,
  options: { method: string; headers: Record<string, string>; body: Uint8Array | string | null },
  call: HttpCall,
  follows: Follows,
  mode: RequestRedirect,
): Promise<Answer> {
  const signal = call.signal ?? undefined;
  const handler = new AnswerHandler(url, options.method, call, call.maxBytes ?? Number.POSITIVE_INFINITY, follows, mode);
  const answer = new Promise<Answer>((resolve, reject) => {
    handler.resolve = resolve;
    handler.reject = reject;
  });
  if (signal !== undefined) {
    handler.unfollow = onAbortOf(signal, () => {
      handler.fail(signal.reason);
      handler.stop(signal.reason);
    });
  }
  if (signal?.aborted) {
    handler.fail(signal.reason);
    return answer;
  }
  try {
    const target = new URL(url);
    const path = target.search ? `${target.pathname}${target.search}` : target.pathname;
    dispatcher.dispatch({ origin: target.origin, path, method: options.method as Dispatcher.HttpMethod, headers: options.headers, body: options.body }, handler);
  } catch (error) {
    handler.fail(error);
  }
  return answer;
}

/** Whether an answer is a redirect to follow. */
function followsRedirect(status: number, raw: RawHeaders, mode: RequestRedirect): boolean {
  return mode !== "manual" && REDIRECT_STATUSES.has(status) && singleHeader(raw, "location") !== undefined;
}

/** Where a redirect leads, when the SDK follows it there: an http or https URL. */
function redirectTarget(location: string, base: string, method: string, callUrl: string, status: number): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw refusedRedirectError(method, callUrl, status, "to a Location that is not a URL");
  }
  // The scheme is letters, digits and "+-." only: safe to name.
  if (next.protocol !== "http:" && next.protocol !== "https:") throw refusedRedirectError(method, callUrl, status, `to a ${next.protocol} URL, which is neither http nor https`);
  return next;
}

function finalResponse(status: number, headers: Record<string, string> | [string, string][], bytes: Buffer | null, url: string, redirected: boolean, method: string, dropped: boolean): Response {
  if (status < 200 || status > 599) throw undefinedStatusError(method, url, status);
  return bufferedResponse(bytes, { status, headers }, url, redirected, method, dropped);
}

async function sendWithUndici(call: HttpCall): Promise<Response> {
  const dispatcher = call.dispatcher ?? getGlobalDispatcher!();
  const signal = call.signal ?? undefined;
  let url = call.url;
  let method = call.method.toUpperCase();
  let body = call.body;
  let headers = headerRecord(call.headers);
  const mode = call.redirect ?? "follow";
  // Whether a hop went to another origin: the origin-bound headers are then gone for good.
  let dropped = false;
  for (let hop = 0; ; hop++) {
    let answer: Answer;
    try {
      if (signal?.aborted) throw signal.reason;
      answer = await exchange(dispatcher, url, { method, headers, body }, call, followsRedirect, mode);
      const location = followsRedirect(answer.statusCode, answer.raw, mode) ? singleHeader(answer.raw, "location") : undefined;
      if (location !== undefined) {
        // Each refusal is final, not a network failure to retry: the server would send the same redirect again.
        if (mode === "error") throw refusedRedirectError(call.method, call.url, answer.statusCode, 'and the call was made with redirect: "error"');
        if (hop >= MAX_REDIRECTS) throw tooManyRedirectsError(call.method, call.url, MAX_REDIRECTS);
        const next = redirectTarget(location, url, call.method, call.url, answer.statusCode);
        if (next.origin !== new URL(url).origin) {
          dropped = true;
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
    } catch (error) {
      throw networkError(error, signal);
    }
    return finalResponse(answer.statusCode, responseHeaders(answer.raw), answer.bytes, url, hop > 0, call.method, dropped);
  }
}

/** Loads undici once; `undefined` when it is loaded (so callers skip a wait). Its load is not part of any call's time limit. */
export function loadHttp(): Promise<unknown> | undefined {
  return getGlobalDispatcher === undefined ? loadUndici() : undefined;
}

/** Sends one exchange through undici and reads its whole answer. */
export function sendHttp(call: HttpCall): Promise<Response> {
  if (getGlobalDispatcher !== undefined) return sendWithUndici(call);
  return loadUndici().then(() => sendWithUndici(call));
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

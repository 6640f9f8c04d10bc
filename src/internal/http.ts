/**
 * The default HTTP layer: undici's `request` under a fetch-shaped function.
 * On a 22 KB JSON page, Node's own `fetch` spends most of a call building
 * web streams, Request/Response objects and signal plumbing; `request` reads
 * the same bytes into a Buffer and hands back one small Response built from
 * them. Semantics kept: the body is read completely before the Response is
 * returned (so a time limit or abort signal covers the whole body, and a
 * stalled body ends with an error), redirects are followed as fetch does, and
 * proxies come from undici's global dispatcher or a `dispatcher` per call.
 *
 * Interceptable: when `globalThis.fetch` is not the platform's own (a test
 * tool such as MSW or nock replaced it, before or after this module loaded),
 * every call goes through it instead, as it would with the plain fetch.
 */
import type { Dispatcher } from "undici";
import { bufferedResponse } from "./responses.js";

/** One HTTP exchange, as the transport describes an attempt: no Request object needed. */
export interface HttpCall {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers | Readonly<Record<string, string>>;
  /** Sent as is on every redirect hop that keeps the method; `null` for none. */
  readonly body: Uint8Array | string | null;
  readonly signal?: AbortSignal | null | undefined;
  /** As fetch's `redirect`; default "follow". */
  readonly redirect?: RequestRedirect | undefined;
  /** An undici dispatcher (e.g. a `ProxyAgent`); default undici's global dispatcher. */
  readonly dispatcher?: Dispatcher | undefined;
  /** Called as each chunk of the answer arrives (a time limit measured from the last progress moves on). */
  readonly onProgress?: (() => void) | undefined;
}

/** Extra init keys the fetch-shaped function reads besides the Request. */
export interface HttpInit {
  signal?: AbortSignal | null | undefined;
  dispatcher?: Dispatcher | undefined;
}

interface Undici {
  request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
  getGlobalDispatcher: () => Dispatcher;
}

const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
// Sent on the same origin only, as fetch does after a cross-origin redirect.
const ORIGIN_BOUND_HEADERS = ["authorization", "cookie", "proxy-authorization"];

// Specifiers in variables: only the two pieces of undici used are loaded (about a third of the package's load time).
const REQUEST_MODULE = "undici/lib/api/api-request.js";
const GLOBAL_MODULE = "undici/lib/global.js";

let undici: Undici | undefined;
let loading: Promise<void> | undefined;
let callsBeforeLoad = 0;

function cjs<T>(mod: { default?: T } & T): T {
  return (mod.default ?? mod) as T;
}

/** Loads undici's request API; until it is loaded, calls use the platform fetch. */
export function loadUndici(): Promise<void> {
  loading ??= Promise.all([import(REQUEST_MODULE), import(GLOBAL_MODULE)]).then(
    ([requestModule, globalModule]) => {
      undici = { request: cjs(requestModule), getGlobalDispatcher: cjs<Undici>(globalModule).getGlobalDispatcher };
    },
    () => {
      // Without undici the platform fetch keeps serving every call.
    },
  );
  return loading;
}

// The platform's fetch as Node defines it (lazily backed by its bundled undici); anything else was put there by someone.
const PLATFORM_SOURCE = /internal\/deps\/undici|lazyUndici|\[native code\]/;
let lastSeen: unknown;
let lastIsPlatform = false;

function platformFetchInPlace(): boolean {
  const current = globalThis.fetch;
  if (current !== lastSeen) {
    lastSeen = current;
    lastIsPlatform = typeof current === "function" && PLATFORM_SOURCE.test(Function.prototype.toString.call(current));
  }
  return lastIsPlatform;
}

function headerRecord(headers: HttpCall["headers"]): Record<string, string> {
  if (!(headers instanceof Headers)) return { ...headers };
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value === "string") headers.append(name, value);
    else for (const v of value) headers.append(name, v);
  }
  return headers;
}

/**
 * One abort listener per signal, however many requests follow it: the
 * client's shared time limit is followed by dozens of requests at once, and
 * a listener each would cost time and trip Node's listener-leak warning.
 */
class SignalRelay {
  readonly listeners = new Set<() => void>();
  constructor(signal: AbortSignal) {
    signal.addEventListener("abort", () => {
      for (const listener of this.listeners) listener();
    }, { once: true });
  }
}

const relays = new WeakMap<AbortSignal, SignalRelay>();

/** What undici reads of a signal (`aborted`, `reason`, add/removeEventListener), served by the signal's relay. */
function relayed(signal: AbortSignal): AbortSignal {
  let relay = relays.get(signal);
  if (relay === undefined) {
    relay = new SignalRelay(signal);
    relays.set(signal, relay);
  }
  const listeners = relay.listeners;
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return signal.reason;
    },
    addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_type: string, listener: () => void) => listeners.delete(listener),
  } as unknown as AbortSignal;
}

/** A network failure, shaped as fetch reports one (`TypeError` with the cause), so retry rules read it alike. */
function networkError(error: unknown, signal: AbortSignal | null | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  return new TypeError("fetch failed", { cause: error });
}

function readAll(body: Dispatcher.ResponseData["body"], onProgress: (() => void) | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on("data", (chunk: Buffer) => {
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

async function sendWithUndici(u: Undici, call: HttpCall): Promise<Response> {
  const dispatcher = call.dispatcher ?? u.getGlobalDispatcher();
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
      answer = await u.request.call(dispatcher, { ...splitUrl(url), method: method as Dispatcher.HttpMethod, headers, body, signal: signal && relayed(signal) });
      const location = answer.headers.location;
      if (mode !== "manual" && REDIRECT_STATUSES.has(answer.statusCode) && typeof location === "string") {
        await answer.body.dump();
        if (mode === "error") throw new Error(`redirect to ${new URL(location, url).origin} refused (redirect: "error")`);
        if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
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
      bytes = method === "HEAD" ? (await answer.body.dump(), null) : await readAll(answer.body, call.onProgress);
    } catch (error) {
      throw networkError(error, signal);
    }
    return finalResponse(answer.statusCode, responseHeaders(answer.headers), bytes, url, hop > 0, call.method);
  }
}

/** Origin and path of an absolute http(s) URL as `URL` serialises it (so no parse is needed per call). */
function splitUrl(href: string): { origin: string; path: string } {
  const slash = href.indexOf("/", href.indexOf("//") + 2);
  if (slash === -1) return { origin: href, path: "/" };
  const hash = href.indexOf("#", slash);
  return { origin: href.slice(0, slash), path: href.slice(slash, hash === -1 ? undefined : hash) };
}

async function sendWithFetch(call: HttpCall): Promise<Response> {
  // A Blob, not the bytes: fetch detaches an ArrayBuffer it sends and could not re-send it after a 307 or 308.
  const body = call.body instanceof Uint8Array ? new Blob([call.body as Uint8Array<ArrayBuffer>]) : call.body;
  const init: RequestInit & { dispatcher?: Dispatcher } = { method: call.method, headers: call.headers, body, redirect: call.redirect };
  if (call.signal) init.signal = call.signal;
  if (call.dispatcher) init.dispatcher = call.dispatcher;
  return globalThis.fetch(call.url, init);
}

/**
 * Sends one exchange: through undici once it is loaded and the platform fetch
 * is in place, else through `globalThis.fetch` (whatever it is at this moment).
 */
export function sendHttp(call: HttpCall): Promise<Response> {
  if (!platformFetchInPlace()) return sendWithFetch(call);
  const u = undici;
  if (u !== undefined) return sendWithUndici(u, call);
  // A process that makes one call never pays for loading undici; from the second call on it is loaded.
  if (++callsBeforeLoad >= 2) void loadUndici();
  return sendWithFetch(call);
}

/**
 * The same as a fetch-compatible function, for `openapi-fetch` and the
 * transport's `fetch` setting. `init.signal` replaces the Request's signal.
 */
export async function httpFetch(request: Request, init?: HttpInit): Promise<Response> {
  if (!platformFetchInPlace()) return init === undefined ? globalThis.fetch(request) : globalThis.fetch(request, init as RequestInit);
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  return sendHttp({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body,
    signal: init?.signal !== undefined ? init.signal : request.signal,
    redirect: request.redirect,
    dispatcher: init?.dispatcher,
  });
}

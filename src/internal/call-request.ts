/**
 * The request openapi-fetch builds for a call the SDK sends itself (its
 * `Request` option): method, URL, headers, redirect mode and body bytes, all
 * the pipeline reads. Node's Request costs 15-20 µs to make (it builds an
 * AbortSignal), which the SDK would throw away: it sends through undici's
 * `request`, never through fetch. Used only where no one else sees the
 * request (no middleware of the user's, no fetch of the user's); any init it
 * does not model the same way (a body other than text, another option, an
 * unusual method) gets the platform's Request, with its checks and errors.
 */

// The methods a platform Request keeps exactly as openapi-fetch writes them (upper case, none it refuses).
const METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]);
const REDIRECTS: ReadonlySet<unknown> = new Set(["follow", "error", "manual"]);
// The init keys modelled here; openapi-fetch writes `redirect`, `method`, `body` and `headers`.
const MODELLED: ReadonlySet<string> = new Set(["redirect", "method", "body", "headers"]);

interface CallRequestInit {
  method?: unknown;
  headers?: unknown;
  body?: unknown;
  redirect?: unknown;
}

let encoder: TextEncoder | undefined;

/** The init as this class models it, or undefined when the platform's Request must judge it. */
function modelled(url: unknown, init: CallRequestInit | undefined): URL | undefined {
  if (typeof url !== "string" || init === undefined || init === null) return undefined;
  for (const key in init) if (!MODELLED.has(key)) return undefined;
  const { method, headers, body, redirect } = init;
  if (typeof method !== "string" || !METHODS.has(method)) return undefined;
  if (redirect !== undefined && !REDIRECTS.has(redirect)) return undefined;
  if (!(headers instanceof Headers)) return undefined;
  if (body !== undefined && body !== null) {
    // A text body with a declared type only: a platform Request would add `text/plain` to one without.
    if (typeof body !== "string" || method === "GET" || method === "HEAD" || !headers.has("content-type")) return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // the platform's Request says why, in its words
  }
  return parsed.username === "" && parsed.password === "" ? parsed : undefined;
}

export class CallRequest {
  readonly method!: string;
  /** Serialized as a platform Request serializes it. */
  readonly url!: string;
  readonly headers!: Headers;
  readonly redirect!: RequestRedirect;
  /** The body as the bytes sent (UTF-8), or null. */
  readonly bytes!: Uint8Array | null;

  constructor(url: string, init?: CallRequestInit) {
    const parsed = modelled(url, init);
    // A constructor may return another object: openapi-fetch then holds the platform's Request.
    if (parsed === undefined) return new Request(url, init as RequestInit) as unknown as CallRequest;
    const { method, headers, body, redirect } = init as Required<CallRequestInit>;
    this.method = method as string;
    this.url = parsed.href;
    this.headers = headers as Headers;
    this.redirect = (redirect ?? "follow") as RequestRedirect;
    this.bytes = typeof body === "string" ? (encoder ??= new TextEncoder()).encode(body) : null;
  }
}

/** The class openapi-fetch's `Request` option takes. */
export const callRequestClass = CallRequest as unknown as typeof Request;

/** The bytes of a request's body, read once; null for none. */
export function bodyBytesOf(request: Request): Uint8Array | null | Promise<Uint8Array> {
  if ((request as unknown) instanceof CallRequest) return (request as unknown as CallRequest).bytes;
  if (request.body === null) return null;
  return request.arrayBuffer().then((buffer) => new Uint8Array(buffer));
}

/**
 * The response every call returns: its body already read whole (under the
 * call's time limit), knowing the request it answers. Reading it as JSON or
 * text parses the bytes directly instead of streaming them through a
 * ReadableStream; anything that needs the stream (`body`, `formData`) gets
 * a plain Response built on first use.
 */

// Statuses whose responses cannot carry a body (the Response constructor refuses one).
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Whether an answer's declared `Content-Length` is past `maxBytes`. Only an answer that carries a body has one
 * to refuse: HEAD's is the size a GET would get, and a 204, 205 or 304 has none whatever it declares.
 */
export function declaresTooLong(method: string, status: number, contentLength: string | null | undefined, maxBytes: number): boolean {
  if (contentLength == null || method === "HEAD" || NULL_BODY_STATUSES.has(status)) return false;
  return Number(contentLength) > maxBytes;
}

function decode(bytes: Uint8Array): string {
  // As Response.text(): UTF-8, a leading byte order mark dropped.
  const bom = bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
  return new TextDecoder().decode(bom ? bytes.subarray(3) : bytes);
}

const EMPTY = new Uint8Array(0);

/**
 * Answers on whose way a redirect went to another origin, so the credentials stayed behind (as fetch leaves
 * them): rare, so kept aside rather than as a field every answer would carry and show.
 */
const dropped = new WeakSet<Response>();

function defineBufferedResponse() {
  return class BufferedResponse extends Response {
    /** Method of the request this answers, for error messages (a plain Response knows none). */
    readonly method: string;
    readonly #bytes: Uint8Array | null;
    readonly #init: ResponseInit;
    readonly #url: string;
    readonly #redirected: boolean;
    #used = false;
    #plain: Response | undefined;

    constructor(bytes: Uint8Array | null, init: ResponseInit, url: string, redirected: boolean, method: string) {
      super(null, init);
      this.#bytes = bytes;
      this.#init = init;
      this.#url = url;
      this.#redirected = redirected;
      this.method = method;
    }

    override get url(): string {
      return this.#url;
    }

    override get redirected(): boolean {
      return this.#redirected;
    }

    #asPlain(): Response {
      if (this.#plain === undefined) {
        const nullBody = this.#used || this.#bytes === null || NULL_BODY_STATUSES.has(this.status);
        this.#plain = new Response(nullBody ? null : (this.#bytes as Uint8Array<ArrayBuffer>), this.#init);
        if (this.#used) void this.#plain.body; // keeps bodyUsed consistent below
      }
      return this.#plain;
    }

    override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
      if (this.#bytes === null || NULL_BODY_STATUSES.has(this.status)) return null;
      return this.#used && this.#plain === undefined ? null : this.#asPlain().body;
    }

    override get bodyUsed(): boolean {
      return this.#plain === undefined ? this.#used : this.#plain.bodyUsed;
    }

    #take(): Uint8Array {
      if (this.#used) throw new TypeError("Body is unusable: Body has already been read");
      this.#used = true;
      return this.#bytes ?? EMPTY;
    }

    override json(): Promise<any> {
      if (this.#plain !== undefined) return this.#plain.json();
      try {
        return Promise.resolve(JSON.parse(decode(this.#take())));
      } catch (error) {
        return Promise.reject(error);
      }
    }

    override text(): Promise<string> {
      if (this.#plain !== undefined) return this.#plain.text();
      try {
        return Promise.resolve(decode(this.#take()));
      } catch (error) {
        return Promise.reject(error);
      }
    }

    override arrayBuffer(): Promise<ArrayBuffer> {
      if (this.#plain !== undefined) return this.#plain.arrayBuffer();
      try {
        const bytes = this.#take();
        return Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      } catch (error) {
        return Promise.reject(error);
      }
    }

    override blob(): Promise<Blob> {
      if (this.#plain !== undefined) return this.#plain.blob();
      try {
        return Promise.resolve(new Blob([this.#take() as Uint8Array<ArrayBuffer>], { type: this.headers.get("content-type") ?? "" }));
      } catch (error) {
        return Promise.reject(error);
      }
    }

    override formData(): Promise<FormData> {
      return this.#asPlain().formData();
    }

    override clone(): Response {
      if (this.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
      if (this.#plain !== undefined) return this.#plain.clone();
      const copy = new BufferedResponse(this.#bytes, { ...this.#init, headers: new Headers(this.headers) }, this.#url, this.#redirected, this.method);
      if (dropped.has(this)) dropped.add(copy);
      return copy;
    }
  };
}

type BufferedResponseClass = ReturnType<typeof defineBufferedResponse>;
// Defined on first use: naming the global Response at import time makes Node load its whole fetch implementation.
let BufferedResponse: BufferedResponseClass | undefined;

/** A response over bytes already read; `null` for none (HEAD, 204, ...). */
export function bufferedResponse(bytes: Uint8Array | null, init: ResponseInit, url: string, redirected: boolean, method: string, credentialsDropped = false): Response {
  BufferedResponse ??= defineBufferedResponse();
  const response = new BufferedResponse(bytes, init, url, redirected, method);
  if (credentialsDropped) dropped.add(response);
  return response;
}

/**
 * Whether the SDK's HTTP layer left the credentials behind on a redirect to another origin on the way to
 * `response` (they are not sent again, even when a later redirect comes back); false when it cannot tell.
 */
export function credentialsDropped(response: Response): boolean {
  return dropped.has(response);
}

/** Whether the SDK made `response` from bytes it read whole (as `requestOf`, without making an object). */
export function isBufferedResponse(response: Response): boolean {
  return BufferedResponse !== undefined && response instanceof BufferedResponse;
}

/** The method and URL of the request `response` answers, when the SDK made it. */
export function requestOf(response: Response): { method: string; url: string } | undefined {
  return BufferedResponse !== undefined && response instanceof BufferedResponse ? { method: response.method, url: response.url } : undefined;
}

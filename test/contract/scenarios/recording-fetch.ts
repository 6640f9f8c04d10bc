/**
 * A `fetch` for the client under test that keeps what went on the wire:
 * the exact URL (still percent-encoded), the body, the status, whether the
 * mock reported a contract violation, and a digest of the bearer token.
 */
import { createHash } from "node:crypto";

export interface RecordedCall {
  readonly method: string;
  /** The URL as sent, percent-encoding intact. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly status: number;
  /** Prism's `sl-violations` header: where the request or response broke the document. */
  readonly violations: string | null;
  /** SHA-256 of the bearer token, so tests can compare tokens without holding them. */
  readonly tokenDigest: string | undefined;
}

export interface Recorder {
  readonly fetch: (request: Request) => Promise<Response>;
  readonly calls: RecordedCall[];
  /** `METHOD /path` of every call, for comparing against a scenario's expected steps. */
  steps(): string[];
}

export function recordingFetch(): Recorder {
  const calls: RecordedCall[] = [];
  return {
    calls,
    steps: () => calls.map((c) => `${c.method} ${c.path}`),
    async fetch(request) {
      const text = request.body === null ? undefined : await request.clone().text();
      const response = await fetch(request);
      const url = new URL(request.url);
      const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
      calls.push({
        method: request.method,
        url: request.url,
        path: url.pathname,
        query: url.searchParams,
        body: text === undefined || text === "" ? undefined : JSON.parse(text),
        status: response.status,
        violations: response.headers.get("sl-violations"),
        tokenDigest: bearer === undefined ? undefined : createHash("sha256").update(bearer).digest("hex"),
      });
      return response;
    },
  };
}

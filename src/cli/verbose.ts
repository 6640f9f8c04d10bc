/** `--verbose`: each request and response on stderr, with tokens and secrets redacted. */
import { redact as redactSecrets } from "../internal/redaction.js";
import type { Logger } from "../logging.js";

const SHOWN_RESPONSE_HEADERS = ["content-type", "content-length", "location", "retry-after", "x-request-id", "ratelimit-remaining", "x-ratelimit-remaining"];
const BODY_LIMIT = 2000;

function clip(text: string): string {
  return text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}... (${text.length} characters)` : text;
}

export function verboseFetch(write: (line: string) => void, inner: (request: Request) => Promise<Response> = (r) => fetch(r)) {
  return async (request: Request): Promise<Response> => {
    const started = performance.now();
    const headers: string[] = [];
    request.headers.forEach((v, k) => void headers.push(`${k}: ${k === "authorization" ? `${v.split(" ")[0]} [REDACTED]` : v}`));
    write(redactSecrets(`> ${request.method} ${request.url}${headers.length > 0 ? `\n>   ${headers.join("\n>   ")}` : ""}`));
    if (request.body !== null) write(redactSecrets(`>   body ${clip(await request.clone().text())}`));
    const response = await inner(request);
    const shown = SHOWN_RESPONSE_HEADERS.filter((h) => response.headers.has(h)).map((h) => `${h}: ${response.headers.get(h)}`);
    const text = await response.clone().text();
    write(
      redactSecrets(
        `< ${response.status} ${request.method} ${new URL(request.url).pathname} in ${Math.round(performance.now() - started)} ms` +
          `${shown.length > 0 ? `\n<   ${shown.join("\n<   ")}` : ""}${text ? `\n<   body ${clip(text)}` : ""}`,
      ),
    );
    return response;
  };
}

export function stderrLogger(write: (line: string) => void): Logger {
  const log = (m: string) => write(`glp: ${m}`);
  return { debug: log, info: log, warn: log, error: log };
}

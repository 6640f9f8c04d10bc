/**
 * The last step: sends one attempt and reads its whole answer under the
 * attempt's deadline. Through the SDK's HTTP layer (undici), or through the
 * user's `fetch` with a Request that carries every option the call took.
 */
import { responseTooLargeError } from "../../errors.js";
import { sendHttp } from "../http.js";
import { bufferedResponse, declaresTooLong, isBufferedResponse } from "../responses.js";
import { readBody, type AttemptDeadline } from "../timeouts.js";
import type { Exchange } from "./exchange.js";

export type FetchFunction = (request: Request, init?: RequestInit) => Promise<Response>;

/** The whole answer, read under the attempt's deadline unless the HTTP layer read it already. */
async function whole(answer: Response, exchange: Exchange, maxBytes: number): Promise<Response> {
  const deadline = exchange.deadline;
  exchange.receiving = true;
  deadline?.progress();
  if (isBufferedResponse(answer)) return answer; // read whole already, under the deadline
  if (declaresTooLong(exchange.method, answer.status, answer.headers.get("content-length"), maxBytes)) {
    void answer.body?.cancel().catch(() => {});
    throw responseTooLargeError(exchange.method, exchange.url, maxBytes);
  }
  const bytes = answer.body === null ? null : await readBody(answer.body, deadline, maxBytes, () => responseTooLargeError(exchange.method, exchange.url, maxBytes));
  return bufferedResponse(bytes, { status: answer.status, statusText: answer.statusText, headers: answer.headers }, answer.url || exchange.url, answer.redirected, exchange.method);
}

async function viaHttp(exchange: Exchange, maxBytes: number): Promise<Response> {
  const deadline = exchange.deadline;
  const answer = await sendHttp({
    method: exchange.method,
    url: exchange.url,
    headers: exchange.headers,
    body: exchange.body,
    // The deadline itself, not its AbortSignal: undici takes an emitter of "abort", which is far cheaper to make.
    signal: deadline?.canAbort ? deadline : undefined,
    redirect: exchange.request.redirect,
    dispatcher: exchange.dispatcher,
    onProgress: deadline === undefined ? undefined : deadline.onProgress,
    maxBytes,
  });
  // The HTTP layer read the answer whole, under the deadline: as `whole` does for it, without another promise.
  if (!isBufferedResponse(answer)) return whole(answer, exchange, maxBytes);
  exchange.receiving = true;
  deadline?.progress();
  return answer;
}

/**
 * The user's fetch's answer, or the end of the attempt, whichever comes first: a fetch that ignores its
 * Request's signal cannot hold the call past its time limit or the caller's abort. An answer that comes
 * later is dropped, its body cancelled.
 */
function untilEnded(answer: Promise<Response>, deadline: AttemptDeadline | undefined): Promise<Response> {
  if (deadline === undefined || !deadline.canAbort) return answer;
  const dropLate = (): void => void answer.then((late) => late.body?.cancel().catch(() => {}), () => {});
  if (deadline.aborted) {
    dropLate();
    return Promise.reject(deadline.reason);
  }
  return new Promise<Response>((resolve, reject) => {
    const onEnd = (): void => {
      dropLate();
      reject(deadline.reason);
    };
    deadline.once("abort", onEnd);
    answer.then(
      (response) => {
        deadline.off("abort", onEnd);
        resolve(response);
      },
      (error: unknown) => {
        deadline.off("abort", onEnd);
        reject(error);
      },
    );
  });
}

async function viaUserFetch(fetch: FetchFunction, exchange: Exchange, maxBytes: number): Promise<Response> {
  const { request, method, url, body } = exchange;
  const deadline = exchange.deadline;
  // A user's fetch gets a Request with every option the call took. The body is a Blob: fetch
  // detaches an ArrayBuffer it sends and could then not re-send it after a 307 or 308.
  const attempt = new Request(url, {
    method,
    headers: exchange.headers,
    body: body === null ? null : new Blob([body as Uint8Array<ArrayBuffer>]),
    signal: deadline?.signal ?? null,
    redirect: request.redirect,
    cache: request.cache,
    credentials: request.credentials,
    integrity: request.integrity,
    keepalive: request.keepalive,
    mode: request.mode,
    referrer: request.referrer,
    referrerPolicy: request.referrerPolicy,
  });
  let init = exchange.call.extensions;
  if (exchange.dispatcher !== undefined && init?.dispatcher !== exchange.dispatcher) init = { ...init, dispatcher: exchange.dispatcher };
  return whole(await untilEnded(init === undefined ? fetch(attempt) : fetch(attempt, init as RequestInit), deadline), exchange, maxBytes);
}

export function sendStep(fetch: FetchFunction | undefined, maxBytes: number): (exchange: Exchange) => Promise<Response> {
  return fetch === undefined ? (exchange) => viaHttp(exchange, maxBytes) : (exchange) => viaUserFetch(fetch, exchange, maxBytes);
}

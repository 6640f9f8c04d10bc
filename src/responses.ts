/** The response a call returns: read whole under the call's time limit, and knowing which request it answers. */

// Statuses whose responses cannot carry a body (the Response constructor refuses one).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export class CallResponse extends Response {
  /** Method and URL of the request this answers, for error messages (a plain Response knows neither). */
  readonly method: string;
  readonly #url: string;

  constructor(answer: Response, body: Uint8Array | null, method: string, url: string) {
    super(NULL_BODY_STATUSES.has(answer.status) ? null : (body as Uint8Array<ArrayBuffer> | null), { status: answer.status, statusText: answer.statusText, headers: answer.headers });
    this.method = method;
    this.#url = answer.url || url;
  }

  override get url(): string {
    return this.#url;
  }
}

/** The method and URL of the request `response` answers, when the SDK made it. */
export function requestOf(response: Response): { method: string; url: string } | undefined {
  return response instanceof CallResponse ? { method: response.method, url: response.url } : undefined;
}

/**
 * The `GreenLakeError` family: one class per kind of failure, parsed from
 * HPE's error body (`httpStatusCode`, `errorCode`, `message`, `debugId`, `errorDetails`).
 */
import { causeCode, innermostMessage } from "./internal/causes.js";
import { redact, redactDeep, safeCause } from "./internal/redaction.js";
import { requestOf } from "./internal/responses.js";

export interface GreenLakeErrorDetail {
  readonly type?: string;
  readonly [key: string]: unknown;
}

export interface GreenLakeErrorInit {
  method?: string | undefined;
  path?: string | undefined;
  status?: number | undefined;
  errorCode?: string | undefined;
  debugId?: string | undefined;
  errorDetails?: readonly GreenLakeErrorDetail[] | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  cause?: unknown;
}

export class GreenLakeError extends Error {
  override name = "GreenLakeError";
  readonly method: string | undefined;
  /** Request path without query string (query values may carry user data). */
  readonly path: string | undefined;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly debugId: string | undefined;
  readonly errorDetails: readonly GreenLakeErrorDetail[];
  /** Response headers that are safe to show (see logging's allow-list). */
  readonly headers: Readonly<Record<string, string>>;

  /** Every text it carries is redacted here, so no error can show a credential whatever built it. */
  constructor(message: string, init: GreenLakeErrorInit = {}) {
    super(redact(message), init.cause === undefined ? undefined : { cause: safeCause(init.cause) });
    this.method = init.method;
    this.path = init.path === undefined ? undefined : redact(init.path);
    this.status = init.status;
    this.errorCode = init.errorCode === undefined ? undefined : redact(init.errorCode);
    this.debugId = init.debugId === undefined ? undefined : redact(init.debugId);
    this.errorDetails = init.errorDetails === undefined ? [] : redactDeep(init.errorDetails);
    this.headers = init.headers === undefined ? {} : redactDeep(init.headers);
  }
}

/** 401: the token was rejected or could not be obtained. */
export class GreenLakeAuthError extends GreenLakeError {
  override name = "GreenLakeAuthError";
}
/** 403: the API client lacks a role or the workspace lacks the service. */
export class GreenLakeForbiddenError extends GreenLakeError {
  override name = "GreenLakeForbiddenError";
}
export class GreenLakeNotFoundError extends GreenLakeError {
  override name = "GreenLakeNotFoundError";
}
/** 409 and 412: the resource changed or already exists. */
export class GreenLakeConflictError extends GreenLakeError {
  override name = "GreenLakeConflictError";
}
/** 400 and 422: the request was malformed. */
export class GreenLakeValidationError extends GreenLakeError {
  override name = "GreenLakeValidationError";
}
export class GreenLakeRateLimitedError extends GreenLakeError {
  override name = "GreenLakeRateLimitedError";
}
export class GreenLakeServerError extends GreenLakeError {
  override name = "GreenLakeServerError";
}
/** A client-side deadline passed: an attempt made no progress for `timeoutMs`, or an async operation or job ran too long. */
export class GreenLakeTimeoutError extends GreenLakeError {
  override name = "GreenLakeTimeoutError";
}
/** 408: the server gave up waiting for the request (not a client-side deadline). */
export class GreenLakeRequestTimeoutError extends GreenLakeError {
  override name = "GreenLakeRequestTimeoutError";
}
/** The caller's `signal` aborted the call; `cause` is the signal's reason. */
export class GreenLakeAbortedError extends GreenLakeError {
  override name = "GreenLakeAbortedError";
}
/** The request never got a response (DNS, reset, refused). */
export class GreenLakeConnectionError extends GreenLakeError {
  override name = "GreenLakeConnectionError";
}
/** An answer's body was longer than `maxResponseBytes`: the rest was not read, and the call is not retried. */
export class GreenLakeResponseTooLargeError extends GreenLakeError {
  override name = "GreenLakeResponseTooLargeError";
}
/** A setting is missing or malformed; raised at construction. */
export class GreenLakeConfigurationError extends GreenLakeError {
  override name = "GreenLakeConfigurationError";
}
/** A call that cannot be sent as asked (a path or query parameter); raised before anything is sent. */
export class GreenLakeRequestError extends GreenLakeError {
  override name = "GreenLakeRequestError";
  /** The parameter at fault, as the operation names it (e.g. `device-id`). */
  readonly parameter: string;
  constructor(message: string, parameter: string, init: GreenLakeErrorInit = {}) {
    super(message, init);
    this.parameter = redact(parameter);
  }
}

/**
 * The error for a path or query parameter that cannot be sent: names the
 * call by its path template (values may be user data) and says what to pass instead.
 */
export function invalidParameterError(
  method: string,
  template: string,
  where: "path" | "query",
  parameter: string,
  problem: string,
  fix: string,
): GreenLakeRequestError {
  // Quoted as JSON (and the line breaks JSON leaves alone escaped) so no name can break the message's line.
  const name = JSON.stringify(parameter.length > 100 ? `${parameter.slice(0, 100)}…` : parameter).replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return new GreenLakeRequestError(`${method} ${template}: ${where} parameter ${name} ${problem}; nothing was sent.${fix.trim() === "" ? "" : ` ${endSentence(fix)}`}`, parameter, {
    method,
    path: template,
  });
}

/** A call option of the wrong type or value (`region`, `tenantAcid`, `timeoutMs`). */
export function invalidCallOptionError(method: string, template: string, option: string, problem: string): GreenLakeRequestError {
  return new GreenLakeRequestError(`${method} ${template}: the ${option} call option ${problem}; nothing was sent.`, option, { method, path: template });
}

/** What a value is, for a message that must not echo it (values may be user data). */
export function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "number") return `the number ${String(value)}`;
  if (typeof value === "object") {
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    return tag === "Object" ? "an object" : `a ${tag} object`;
  }
  return `a ${typeof value}`;
}

/** An async operation or job reached a failed terminal state. */
export class GreenLakeOperationError extends GreenLakeError {
  override name = "GreenLakeOperationError";
  /** The last state of the async-operation or job resource. */
  readonly resource: unknown;
  constructor(message: string, resource: unknown, init: GreenLakeErrorInit = {}) {
    super(message, init);
    this.resource = redactDeep(resource);
  }
}

/**
 * A listing could not be read exactly: the server's pages contradict each
 * other (a changed or wrong `total`, a page shorter or longer than planned,
 * a repeated item or page, a cursor cycle). Raised instead of returning a
 * short or duplicated list.
 */
export class GreenLakePaginationError extends GreenLakeError {
  override name = "GreenLakePaginationError";
}

/** Names the position of a page: the offset in items or pages, or an abbreviated cursor. */
function pagePosition(position: unknown, unit: "items" | "pages" | "cursor"): string {
  if (unit === "cursor") {
    if (position === undefined) return "the first page (no cursor)";
    const text = String(position);
    return `cursor "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
  }
  return unit === "pages" ? `page offset ${String(position)}` : `offset ${String(position)}`;
}

/**
 * The error for a listing that stopped because its pages disagree: what was
 * seen, where, and what the caller can do.
 */
export function paginationError(
  path: string,
  position: unknown,
  unit: "items" | "pages" | "cursor",
  problem: string,
  advice: string,
): GreenLakePaginationError {
  return new GreenLakePaginationError(`${endSentence(`GET ${path} at ${pagePosition(position, unit)}: ${problem}`)} ${advice}`, { method: "GET", path });
}

const HINTS: Record<number, string> = {
  401: "Check the client id, secret and workspace id, and that the API client is not deleted.",
  403: "Check that the API client's role grants this operation and the workspace has the service provisioned.",
  404: "Check the resource id and the region the resource lives in.",
  429: "Slow down: GreenLake rate limits are per API client; consider the rateLimit option.",
};

function classFor(status: number): typeof GreenLakeError {
  if (status === 401) return GreenLakeAuthError;
  if (status === 403) return GreenLakeForbiddenError;
  if (status === 404) return GreenLakeNotFoundError;
  if (status === 409 || status === 412) return GreenLakeConflictError;
  if (status === 400 || status === 422) return GreenLakeValidationError;
  if (status === 408) return GreenLakeRequestTimeoutError;
  if (status === 429) return GreenLakeRateLimitedError;
  if (status >= 500) return GreenLakeServerError;
  return GreenLakeError;
}

/**
 * A server's own words as one line of printable text: tabs and line breaks (U+2028 and U+2029 too) become spaces,
 * every other control character (the start of a terminal escape) is shown as `\xHH`, and a bidirectional control
 * (which makes a terminal show the text in another order than it was sent) as `\uHHHH`, so the text says what
 * was sent. Credentials are hidden first, while they still read as they were registered.
 */
function serverText(text: string): string {
  return redact(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === "\t" || c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029") return " ";
    const code = c.charCodeAt(0).toString(16);
    return code.length <= 2 ? `\\x${code.padStart(2, "0")}` : `\\u${code}`;
  });
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? serverText(value) : undefined;
}

/** Builds the error for a non-2xx response from its (already parsed) body. */
export function errorFromResponse(
  method: string,
  url: string,
  response: Response,
  body: unknown,
): GreenLakeError {
  const status = response.status;
  const fields = body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const errorCode = str(fields.errorCode);
  const debugId = str(fields.debugId);
  const serverMessage = str(fields.message) ?? (typeof body === "string" ? str(body.slice(0, 200)) : undefined);
  const details = Array.isArray(fields.errorDetails) ? (fields.errorDetails as GreenLakeErrorDetail[]) : [];
  const path = pathOf(url) || "(unknown path)";
  let message = `${method} ${path} failed with ${status}`;
  if (errorCode) message += ` ${errorCode}`;
  if (serverMessage) message += `: ${serverMessage}`;
  if (debugId) message += ` (debugId ${debugId})`;
  const hint = HINTS[status];
  if (hint) message = `${endSentence(message)} ${hint}`;
  const ErrorClass = classFor(status);
  return new ErrorClass(message, {
    method,
    path,
    status,
    errorCode,
    debugId,
    errorDetails: details,
    headers: safeHeaders(response.headers),
  });
}

/** Reads a response body as JSON when possible, as text otherwise, without throwing. */
export async function readErrorBody(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Pathname of a URL or path, dropping the query. */
export function pathOf(url: string): string {
  const start = url.indexOf("://") === -1 ? 0 : url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1) return "/";
  const q = url.indexOf("?", start);
  return q === -1 ? url.slice(start) : url.slice(start, q);
}

// Response headers that help diagnose a failure; everything else is left out.
const SAFE_HEADERS = new Set([
  "content-type",
  "date",
  "deprecation",
  "location",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
  "retry-after",
  "sunset",
  "x-request-id",
  "x-correlation-id",
  "hpe-debug-id",
]);

function safeHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (SAFE_HEADERS.has(name)) out[name] = value;
  });
  return out;
}

/** Throws the `GreenLakeError` of a non-2xx openapi-fetch result; `path` names the call when the response has no URL. */
export function throwUnlessOk(result: { error?: unknown; response: Response }, method: string, path: string): void {
  if (!result.response.ok) throw errorFromResponse(method, result.response.url || path, result.response, result.error);
}

/**
 * Exceptions for one call: returns `data`, or throws the `GreenLakeError` for
 * the `{ error, response }` openapi-fetch returned.
 *
 *     const users = await unwrap(gl.identity.GET("/identity/v1/users"));
 */
export async function unwrap<D>(
  result: Promise<{ data?: D; error?: unknown; response: Response }> | { data?: D; error?: unknown; response: Response },
): Promise<D> {
  const { data, error, response } = await result;
  if (response.ok) return data as D;
  const call = requestOf(response);
  throw errorFromResponse(call?.method ?? "Request", call?.url ?? response.url, response, error);
}

// Factories for the failures the runtime itself detects, so every message is written here.

/** An attempt made no progress for `timeoutMs` (no answer, or a body that stalled). */
export function attemptTimeoutError(method: string, path: string, timeoutMs: number, duringBody: boolean, cause?: unknown): GreenLakeTimeoutError {
  const what = duringBody ? "its response body stalled" : "it got no response";
  return new GreenLakeTimeoutError(
    `${method} ${path} timed out: ${what} for ${timeoutMs} ms (timeoutMs). Raise timeoutMs for slow operations, or retry later.`,
    { method, path, cause },
  );
}

/** A call whose time limit passed while it waited for an access token (the token request goes on for later calls). */
export function tokenWaitTimeoutError(method: string, path: string, timeoutMs: number): GreenLakeTimeoutError {
  return new GreenLakeTimeoutError(
    `${method} ${path} timed out: no access token within ${timeoutMs} ms (timeoutMs); nothing was sent. The issuer is slow or unreachable: check tokenUrl and the network, or raise timeoutMs.`,
    { method, path },
  );
}

// Mistakes in the calling code (a wrong argument), thrown as TypeError as the platform does.

/** A service key that names no service. */
export function unknownServiceError(key: string, known: readonly string[]): TypeError {
  return new TypeError(`Unknown GreenLake service "${key}"; known services: ${known.join(", ")}.`);
}

/** `paginate` given an operation that does not page. */
export function notPaginatedError(path: string, service: string): TypeError {
  return new TypeError(`GET ${path} is not a paginated operation of ${service}.`);
}

/** A helper given something other than a service client. */
export function notAServiceClientError(): TypeError {
  return new TypeError("Expected a GreenLake service client (from GreenLake or create<Service>Client).");
}

/** A numeric option that must be a positive integer. */
export function positiveIntegerError(name: string): TypeError {
  return new TypeError(`${name} must be a positive integer.`);
}

/** An answer's body went past `maxResponseBytes`. */
export function responseTooLargeError(method: string, url: string, maxBytes: number): GreenLakeResponseTooLargeError {
  const path = pathOf(url);
  return new GreenLakeResponseTooLargeError(
    `${method} ${path} returned a body longer than ${maxBytes} bytes (maxResponseBytes); it was not read further and the call was not retried. Raise maxResponseBytes if this answer is expected to be this large, or ask for smaller pages.`,
    { method, path },
  );
}

/** A call whose redirects never end: asking again would follow the same loop. */
export function tooManyRedirectsError(method: string, url: string, max: number): GreenLakeError {
  const path = pathOf(url);
  return new GreenLakeError(
    `${method} ${path} was redirected more than ${max} times (a redirect loop); the call was not retried. Check baseUrl and any proxy in between; report the server's behaviour to HPE support if it persists.`,
    { method, path },
  );
}

/** A redirect the SDK does not follow (`why` says which): the server's answer, the same on every try. */
export function refusedRedirectError(method: string, url: string, status: number, why: string): GreenLakeError {
  const path = pathOf(url);
  return new GreenLakeError(
    `${method} ${path} was redirected (${status}) ${why}; the call was not retried, since the server would answer the same. Check baseUrl and any proxy in between, or pass redirect: "manual" to read the redirect itself.`,
    { method, path, status },
  );
}

/** An answer whose status HTTP does not define: the server (or something in between) answered, unusably. */
export function undefinedStatusError(method: string, url: string, status: number): GreenLakeServerError {
  const path = pathOf(url);
  return new GreenLakeServerError(
    `${method} ${path} was answered with status ${status}, which HTTP does not define (100-599); the call was not retried. Check baseUrl and any proxy in between.`,
    { method, path, status },
  );
}

/** The caller's signal ended the call. */
export function abortedError(method: string, path: string, reason: unknown): GreenLakeAbortedError {
  return new GreenLakeAbortedError(`${method} ${path} was aborted by its signal.`, { method, path, cause: reason });
}


/** No (whole) response: refused, reset, DNS, TLS. Names the host and the system's code. */
export function connectionError(method: string, url: string, error: unknown, duringBody = false): GreenLakeConnectionError {
  let host = "the server";
  try {
    host = new URL(url).host;
  } catch {
    // a relative URL: keep the generic name
  }
  const code = causeCode(error);
  const what = duringBody ? `lost the connection to ${host} while reading the response` : `could not reach ${host}`;
  return new GreenLakeConnectionError(
    `${endSentence(`${method} ${pathOf(url)} ${what}: ${code !== undefined ? `${code} (${innermostMessage(error)})` : innermostMessage(error)}`)} Check the network, proxy and region; the call can be retried.`,
    { method, path: pathOf(url), cause: error },
  );
}

/** The answer arrived but is not what its content type says (malformed JSON). */
export function malformedBodyError(method: string, path: string, error: unknown): GreenLakeServerError {
  return new GreenLakeServerError(endSentence(`${method} ${path} returned a body that is not valid JSON: ${innermostMessage(error)}`), { method, path, cause: error });
}

/** A token with characters no token has (controls, line breaks, non-ASCII): refused without showing it. */
export function malformedTokenError(from: string): GreenLakeAuthError {
  return new GreenLakeAuthError(
    `${from} returned an access token a request header cannot carry (control characters, line breaks, non-ASCII, or longer than 8192 characters); it was not used. Check the issuer or provider.`,
  );
}

/** A token provider returned nothing usable. */
export function providerTokenError(): GreenLakeConfigurationError {
  return new GreenLakeConfigurationError("The token provider returned no token (expected a non-empty string).");
}

export interface TokenRequestFailure {
  readonly what: string;
  readonly where: string;
  readonly path: string;
  readonly timeoutMs: number;
  readonly timedOut: boolean;
  /** The issuer's error status, when it answered with one (whatever its body). */
  readonly status?: number | undefined;
}


/** Turns simple-oauth2's (Boom) failure into a GreenLakeError; the secret and subject token are registered with redaction. */
export function tokenRequestError(error: unknown, f: TokenRequestFailure): GreenLakeError {
  const init = { method: "POST", path: f.path };
  const boom = error as { isBoom?: boolean; message?: string; output?: { statusCode?: number }; data?: { isResponseError?: boolean; payload?: unknown } | null };
  if (f.timedOut || (boom?.isBoom && boom.output?.statusCode === 504 && boom.data == null)) {
    return new GreenLakeTimeoutError(`${f.what} at ${f.where} got no answer within ${f.timeoutMs} ms (timeoutMs). Check the issuer URL and the network.`, init);
  }
  // wreck marks the issuer's own error answers; its other failures carry a status of its choosing.
  const status = f.status ?? (boom?.isBoom && boom.data?.isResponseError === true ? boom.output?.statusCode : undefined);
  if (status !== undefined) {
    const body = boom.data?.payload;
    let detail = "";
    if (body !== null && typeof body === "object" && !(body instanceof Uint8Array)) {
      const b = body as Record<string, unknown>;
      const code = typeof b.error === "string" ? b.error : typeof b.errorCode === "string" ? b.errorCode : "";
      const text = typeof b.error_description === "string" ? b.error_description : typeof b.message === "string" ? b.message : "";
      detail = serverText([code, text].filter(Boolean).join(": "));
    }
    const hint =
      status === 400 || status === 401
        ? " Check clientId, clientSecret and workspaceId (the API client must belong to that workspace), or tokenUrl."
        : status === 429 || status >= 500
          ? " The issuer is overloaded or down; try again later."
          : "";
    return new GreenLakeAuthError(endSentence(`${f.what} at ${f.where} failed with ${status}${detail ? ` ${detail.slice(0, 300)}` : ""}`) + hint, { ...init, status });
  }
  // wreck's JSON checks: the issuer answered, but not with JSON.
  if (boom?.isBoom && (boom.output?.statusCode === 406 || (boom.output?.statusCode === 502 && boom.data?.payload !== undefined))) {
    return new GreenLakeAuthError(
      `${f.what} at ${f.where} answered with a body that is not JSON${boom.message ? ` (${serverText(boom.message)})` : ""}; check that tokenUrl names an OAuth2 token endpoint.`,
      init,
    );
  }
  return new GreenLakeConnectionError(endSentence(`${f.what} at ${f.where} could not connect: ${causeCode(error) ?? innermostMessage(error)}`), { ...init, cause: error });
}

/** A setting that is missing or malformed; `message` names it and says how to fix it. */
export function configurationError(message: string): GreenLakeConfigurationError {
  return new GreenLakeConfigurationError(message);
}

/** An async operation or job reached a failed terminal state. */
export function operationFailedError(summary: string, resource: unknown, path: string): GreenLakeOperationError {
  return new GreenLakeOperationError(endSentence(`${serverText(summary)} ended in a failed state`), resource, { method: "GET", path });
}

/** An async operation or job did not finish within the wait's own limit. */
export function operationTimeoutError(summary: string, timeoutMs: number, path: string): GreenLakeTimeoutError {
  return new GreenLakeTimeoutError(`${serverText(summary)} did not finish within ${timeoutMs} ms (timeoutMs).`, { method: "GET", path });
}

/** An answer that should point to an async operation does not. */
export function noLocationError(status: number): GreenLakeError {
  const hint = status === 202 ? "" : ` (the call answered ${status}, not 202 Accepted)`;
  return new GreenLakeError(`No Location header to follow to an async operation${hint}.`, { status });
}

/** A call whose path does not start with "/": joined to the base URL it could name another host. */
export function pathWithoutSlashError(method: string): GreenLakeConfigurationError {
  return new GreenLakeConfigurationError(`${method.toUpperCase()} needs a path that starts with "/" (an operation's path, such as "/devices/v1/devices"); it was not sent.`);
}

/** A Location header that names no URL to poll (empty, or not a URL). */
export function unusableLocationError(): GreenLakeError {
  return new GreenLakeError(
    "The Location header to follow to an async operation is empty or not an http(s) URL or path, so there is nothing to poll. Report the server's answer to HPE support if it persists.",
  );
}

/** A created job whose answer carries no id to follow. */
export function noJobIdError(path: string): GreenLakeError {
  return new GreenLakeError(`POST ${path} created a job but the response carries no job id.`, { method: "POST", path });
}

/** An issuer that answered without a token. */
export function noAccessTokenError(what: string, where: string, path: string): GreenLakeAuthError {
  return new GreenLakeAuthError(`${what} at ${where} returned no access_token.`, { method: "POST", path });
}

/** `text` as the end of a sentence: one full stop, never two (server texts often bring their own). */
export function endSentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** A region name that no GreenLake service is served in (a typo): lists every region the documents name. */
export function unknownRegionError(region: string, known: readonly string[], setting = "region"): GreenLakeConfigurationError {
  return new GreenLakeConfigurationError(`${setting} ${JSON.stringify(region)} is not a GreenLake region; regions: ${known.join(", ")}.`);
}

/** A real region the service is not served in: lists the regions that serve it. */
export function regionNotServedError(service: string, region: string, served: readonly string[], setting = "region"): GreenLakeConfigurationError {
  return new GreenLakeConfigurationError(
    `${service} is not served in region ${JSON.stringify(region)} (${setting}); it is served in ${served.join(", ")}.`,
  );
}

/** A region given to a global service: it is not used (a warning, not an error, since a profile's region applies to every service). */
export function regionIgnoredMessage(service: string, region: string): string {
  return `${service} is a global service: region ${JSON.stringify(region)} is not used (regions choose the server of regional services only).`;
}

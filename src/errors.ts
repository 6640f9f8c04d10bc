/**
 * The `GreenLakeError` family: one class per kind of failure, parsed from
 * HPE's error body (`httpStatusCode`, `errorCode`, `message`, `debugId`, `errorDetails`).
 */
import { redactSecrets } from "./logging.js";

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

  constructor(message: string, init: GreenLakeErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.debugId = init.debugId;
    this.errorDetails = init.errorDetails ?? [];
    this.headers = init.headers ?? {};
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
/** An attempt, an async operation or a job took longer than allowed. */
export class GreenLakeTimeoutError extends GreenLakeError {
  override name = "GreenLakeTimeoutError";
}
/** The request never got a response (DNS, reset, refused). */
export class GreenLakeConnectionError extends GreenLakeError {
  override name = "GreenLakeConnectionError";
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
    this.parameter = parameter;
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
  return new GreenLakeRequestError(`${method} ${template}: ${where} parameter ${name} ${problem}; nothing was sent. ${fix}`, parameter, {
    method,
    path: template,
  });
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
    this.resource = resource;
  }
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
  if (status === 408) return GreenLakeTimeoutError;
  if (status === 429) return GreenLakeRateLimitedError;
  if (status >= 500) return GreenLakeServerError;
  return GreenLakeError;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
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
  const serverMessage = str(fields.message) ?? (typeof body === "string" ? body.slice(0, 200) : undefined);
  const details = Array.isArray(fields.errorDetails) ? (fields.errorDetails as GreenLakeErrorDetail[]) : [];
  const path = pathOf(url) || "(unknown path)";
  let message = `${method} ${path} failed with ${status}`;
  if (errorCode) message += ` ${errorCode}`;
  if (serverMessage) message += `: ${serverMessage}`;
  if (debugId) message += ` (debugId ${debugId})`;
  const hint = HINTS[status];
  if (hint) message += `. ${hint}`;
  const ErrorClass = classFor(status);
  return new ErrorClass(redactSecrets(message), {
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
  const call = failedCalls.get(response);
  throw errorFromResponse(call?.method ?? "Request", call?.url ?? response.url, response, error);
}

/** Method and URL of failed responses (a Response does not know its request), kept only for error paths. */
const failedCalls = new WeakMap<Response, { method: string; url: string }>();

export function rememberFailedCall(response: Response, method: string, url: string): void {
  failedCalls.set(response, { method, url });
}

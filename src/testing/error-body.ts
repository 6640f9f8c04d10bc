/**
 * Error bodies in GreenLake's shape (`httpStatusCode`, `errorCode`, `message`,
 * `debugId`, `errorDetails`), including for requests Prism rejected: its
 * violations (otherwise only in the `sl-violations` header) become a message
 * naming each field and the rule it broke.
 */
import { randomUUID } from "node:crypto";

export interface GreenLakeErrorBody {
  readonly httpStatusCode: number;
  readonly errorCode: string;
  readonly message: string;
  readonly debugId: string;
  readonly errorDetails: ReadonlyArray<{ readonly type: string; readonly issues: ReadonlyArray<{ source: string; subject: string; description: string }> }>;
}

const CODES: Record<number, string> = {
  400: "HPE_GL_ERROR_BAD_REQUEST",
  401: "HPE_GL_ERROR_UNAUTHORIZED",
  403: "HPE_GL_ERROR_FORBIDDEN",
  404: "HPE_GL_ERROR_NOT_FOUND",
  409: "HPE_GL_ERROR_CONFLICT",
  415: "HPE_GL_ERROR_UNSUPPORTED_MEDIA_TYPE",
  422: "HPE_GL_ERROR_BAD_REQUEST",
  429: "HPE_GL_ERROR_TOO_MANY_REQUESTS",
  500: "HPE_GL_ERROR_INTERNAL_SERVER_ERROR",
  501: "HPE_GL_ERROR_NOT_IMPLEMENTED",
  502: "HPE_GL_ERROR_BAD_GATEWAY",
  503: "HPE_GL_ERROR_SERVICE_UNAVAILABLE",
};

export function errorCodeFor(status: number): string {
  return CODES[status] ?? `HPE_GL_ERROR_${status}`;
}

/** One problem with a request: where (`query.limit`, `body.email`) and which rule. */
export interface Issue {
  readonly subject: string;
  readonly description: string;
}

export function errorBody(status: number, message: string, issues: readonly Issue[] = [], errorCode = errorCodeFor(status)): GreenLakeErrorBody {
  const errorDetails =
    issues.length === 0
      ? []
      : [{ type: "hpe.greenlake.bad_request", issues: issues.map((i) => ({ source: i.subject.split(".")[0] ?? "request", subject: i.subject, description: i.description })) }];
  return { httpStatusCode: status, errorCode, message, debugId: randomUUID(), errorDetails };
}

interface Violation {
  readonly location?: readonly unknown[];
  readonly message?: string;
  readonly code?: string | number;
}

/** The violations Prism reported for a request, parsed from its `sl-violations` header. */
export function prismViolations(header: string | string[] | undefined): Issue[] {
  const text = Array.isArray(header) ? header.join(",") : header;
  if (!text) return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return [{ subject: "request", description: text.slice(0, 300) }];
  }
  if (!Array.isArray(list)) return [];
  return (list as Violation[])
    .filter((v) => v.location?.[0] !== "response")
    .map((v) => ({ subject: (v.location ?? ["request"]).map(String).join("."), description: `${v.message ?? "is invalid"}${v.code === undefined ? "" : ` (${v.code})`}` }));
}

/** GreenLake's answer to a request Prism rejected: which field broke which rule. */
export function rejectedRequestBody(status: number, method: string, path: string, issues: readonly Issue[]): GreenLakeErrorBody {
  const summary = issues.length === 0 ? "the request does not match the API description" : issues.map((i) => `${i.subject} ${i.description}`).join("; ");
  return errorBody(status, `Invalid request ${method} ${path}: ${summary}.`, issues);
}

/**
 * Calls one operation through the SDK with a request built from its document
 * and reports what Prism and the document's response schema made of it.
 */
import type { GreenLake, OperationMetadata } from "../../../src/index.js";
import { buildRequest, type BuiltRequest, type Strategy } from "./build-request.js";
import { isObject, type Json } from "./openapi.js";
import { responseProblems } from "./validate-response.js";

/** How Prism produced the answer: the document's example, or generated from the response schema. */
export type ResponseMode = "example" | "schema";

export interface Outcome {
  readonly operation: OperationMetadata;
  readonly strategy: Strategy;
  readonly responseMode: ResponseMode;
  readonly status: number;
  /** Where Prism found the request breaks the document (from `sl-violations`), or its error body. */
  readonly requestViolations: readonly string[];
  /** Where the response breaks the document's schema (ajv, and Prism's own response check). */
  readonly responseProblems: readonly string[];
  /** The call itself failed (SDK or transport error). */
  readonly error: string | undefined;
}

/** Prism accepted the request with a 2xx. */
export function accepted(outcome: Outcome): boolean {
  return outcome.error === undefined && outcome.status >= 200 && outcome.status < 300 && outcome.requestViolations.length === 0;
}

/** Prism accepted the request and the answer matches the document. */
export function passed(outcome: Outcome): boolean {
  return accepted(outcome) && outcome.responseProblems.length === 0;
}

interface Violation {
  location?: string[];
  message?: string;
}

function parseViolations(header: string | null): Violation[] {
  if (header === null) return [];
  try {
    const list = JSON.parse(header) as unknown;
    return Array.isArray(list) ? (list as Violation[]) : [{ message: header }];
  } catch {
    return [{ message: header }];
  }
}

const describeViolation = (v: Violation) => `${(v.location ?? []).join(".")}: ${v.message ?? "violation"}`;

function formFields(body: Json | undefined): Array<[string, string]> {
  if (!isObject(body)) return [];
  return Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v : v === null ? "" : JSON.stringify(v)]);
}

function serializerFor(request: BuiltRequest): ((body: unknown) => BodyInit) | undefined {
  const type = request.contentType?.toLowerCase();
  if (type === undefined || request.body === undefined) return undefined;
  if (type.includes("json")) return (b) => JSON.stringify(b);
  if (type === "multipart/form-data") {
    return (b) => {
      const form = new FormData();
      for (const [k, v] of formFields(b as Json)) form.append(k, v);
      return form;
    };
  }
  if (type === "application/x-www-form-urlencoded") return (b) => new URLSearchParams(formFields(b as Json)).toString();
  if (type.startsWith("text/")) return (b) => (typeof b === "string" ? b : JSON.stringify(b));
  return () => new Blob([new Uint8Array([1, 2, 3, 4])]);
}

type Call = (path: string, init: object) => Promise<{ response: Response; data?: unknown; error?: unknown }>;

export async function callOperation(gl: GreenLake, service: string, operation: OperationMetadata, strategy: Strategy, responseMode: ResponseMode): Promise<Outcome> {
  const request = buildRequest(operation, strategy);
  const headers: Record<string, string> = { ...request.params.header };
  if (request.accept !== undefined) headers.accept = request.accept;
  // Prism's per-request switch from the documented example to a response generated from the schema.
  if (responseMode === "schema") headers.prefer = "dynamic=true";
  const serializer = serializerFor(request);
  // multipart: fetch writes the boundary into content-type itself.
  if (request.contentType !== undefined && request.body !== undefined && request.contentType !== "multipart/form-data") {
    headers["content-type"] = request.contentType;
  }
  const client = gl.service(service as never) as unknown as Record<string, Call | undefined>;
  const call = client[operation.method.toUpperCase()];
  if (call === undefined) throw new Error(`The SDK client has no ${operation.method.toUpperCase()} method`);
  const base = { operation, strategy, responseMode };
  try {
    const { response, data, error } = await call(operation.path, {
      params: request.params,
      headers,
      parseAs: "text",
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(serializer === undefined ? {} : { bodySerializer: serializer }),
    });
    const text = typeof data === "string" ? data : typeof error === "string" ? error : error === undefined ? "" : JSON.stringify(error);
    const violations = parseViolations(response.headers.get("sl-violations"));
    const requestViolations = violations.filter((v) => v.location?.[0] !== "response").map(describeViolation);
    const ok = response.status >= 200 && response.status < 300;
    if (!ok && requestViolations.length === 0) requestViolations.push(`status ${response.status}: ${text.slice(0, 300)}`);
    const problems = ok
      ? [
          ...violations.filter((v) => v.location?.[0] === "response").map(describeViolation),
          ...responseProblems(operation, response.status, response.headers.get("content-type"), text),
        ]
      : [];
    return { ...base, status: response.status, requestViolations, responseProblems: problems, error: undefined };
  } catch (e) {
    return { ...base, status: 0, requestViolations: [], responseProblems: [], error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

export interface Exercise {
  /** The attempt that decides the verdict. */
  readonly outcome: Outcome;
  /** When the document's own example answer failed its schema, what was wrong with it. */
  readonly exampleProblems: readonly string[];
}

/**
 * The document's examples first, then a request built from the schemas if
 * Prism rejects them; the answer as documented by example, then generated
 * from the schema if the example contradicts it.
 */
export async function exerciseOperation(gl: GreenLake, service: string, operation: OperationMetadata): Promise<Exercise> {
  let outcome = await callOperation(gl, service, operation, "examples", "example");
  if (!accepted(outcome)) {
    const retry = await callOperation(gl, service, operation, "schemas", "example");
    if (accepted(retry) || outcome.error !== undefined) outcome = retry;
  }
  if (!accepted(outcome) || outcome.responseProblems.length === 0) return { outcome, exampleProblems: [] };
  const generated = await callOperation(gl, service, operation, outcome.strategy, "schema");
  return { outcome: generated, exampleProblems: outcome.responseProblems };
}

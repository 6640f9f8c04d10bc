import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServiceMetadata } from "../../../src/metadata.js";

export const WORKSPACE = "0123456789abcdef0123456789abcdef";
export const SECRET = "s3cr3t-Value-That-Must-Never-Leak";

/** Every token the fixtures issue, so the no-leak test can look for them. */
export const issuedTokens: string[] = [];
/** Every client secret the suites use. */
export const usedSecrets: string[] = [SECRET];

let clientCounter = 0;
/** A fresh client id per test keeps the process-wide token cache from leaking between tests. */
export function uniqueClientId(): string {
  clientCounter += 1;
  return `client-${process.pid}-${clientCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

interface ErrorBody {
  httpStatusCode: number;
  errorCode: string;
  message: string;
  debugId: string;
}
type Op<Query, Data, Path = never, Body = never> = ([Body] extends [never]
  ? { requestBody?: never }
  : { requestBody: { content: { "application/json": Body } } }) & {
  parameters: { query?: Query; header?: { "Tenant-Acid"?: string }; cookie?: never } & ([Path] extends [never] ? { path?: never } : { path: Path });
  responses: {
    200: { headers: { [name: string]: unknown }; content: { "application/json": Data } };
    default: { headers: { [name: string]: unknown }; content: { "application/json": ErrorBody } };
  };
};
export interface ServerItem {
  id: string;
  name?: string;
}
interface PageQuery {
  limit?: number;
  offset?: number;
  filter?: string;
}
/** Hand-written `paths` in openapi-typescript's shape, for the fixture services. */
export interface FixturePaths {
  "/compute-ops-mgmt/v1/servers": { get: Op<PageQuery, { items: ServerItem[]; count: number; offset: number; total: number }> };
  "/compute-ops-mgmt/v1/pages": { get: Op<PageQuery, { items: ServerItem[]; total?: number }> };
  "/compute-ops-mgmt/v1/events": { get: Op<{ limit?: number; next?: string }, { items: { id: string }[]; next?: string | null }> };
  "/compute-ops-mgmt/v1/servers/{id}": { get: Op<{ filter?: string }, ServerItem, { id: string }> };
  "/compute-ops-mgmt/v1/jobs": { post: Op<never, unknown, never, Record<string, unknown>> };
  "/compute-ops-mgmt/v1/jobs/{id}": { get: Op<never, unknown, { id: string }> };
  "/identity/v1/users": {
    get: Op<{ limit?: number }, { items: unknown[] }>;
    post: Op<never, unknown, never, Record<string, unknown>>;
  };
}

export const regionalService: ServiceMetadata = {
  service: "compute-ops-mgmt",
  documents: ["compute-ops-mgmt"],
  servers: {
    "us-west": "https://us-west.api.greenlake.hpe.com",
    "eu-central": "https://eu-central.api.greenlake.hpe.com",
  },
  operations: [
    {
      method: "get",
      path: "/compute-ops-mgmt/v1/servers",
      operationId: "listServers",
      deprecated: false,
      document: "compute-ops-mgmt",
      pagination: { style: "offset-items", limitParam: "limit", pageParam: "offset", maxPageSize: 3, itemsField: "items", totalField: "total" },
    },
    {
      method: "get",
      path: "/compute-ops-mgmt/v1/pages",
      operationId: "listPages",
      deprecated: false,
      document: "compute-ops-mgmt",
      pagination: { style: "offset-pages", limitParam: "limit", pageParam: "offset", maxPageSize: 2, itemsField: "items", totalField: "total" },
    },
    {
      method: "get",
      path: "/compute-ops-mgmt/v1/events",
      operationId: "listEvents",
      deprecated: false,
      document: "compute-ops-mgmt",
      pagination: { style: "cursor", limitParam: "limit", pageParam: "next", maxPageSize: 2, itemsField: "items", nextField: "next" },
    },
    { method: "get", path: "/compute-ops-mgmt/v1/servers/{id}", operationId: "getServer", deprecated: false, document: "compute-ops-mgmt" },
    { method: "post", path: "/compute-ops-mgmt/v1/jobs", operationId: "createJob", deprecated: false, document: "compute-ops-mgmt" },
    { method: "get", path: "/compute-ops-mgmt/v1/jobs/{id}", operationId: "getJob", deprecated: false, document: "compute-ops-mgmt" },
  ],
};

export const globalService: ServiceMetadata = {
  service: "identity",
  documents: ["identity"],
  servers: { global: "https://global.api.greenlake.hpe.com" },
  operations: [{ method: "get", path: "/identity/v1/users", operationId: "listUsers", deprecated: false, document: "identity" }],
};

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: string;
}

/** A fetch stub that records requests and answers from `handler`. */
export function stubFetch(handler: (request: RecordedRequest, index: number) => Response | Promise<Response>) {
  const requests: RecordedRequest[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const recorded = { method: request.method, url: request.url, headers: new Headers(request.headers), body: request.body ? await request.text() : "" };
    requests.push(recorded);
    if (request.signal.aborted) throw request.signal.reason;
    return handler(recorded, requests.length - 1);
  };
  return { fetch, requests };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export interface TokenServer {
  readonly url: string;
  readonly requests: { path: string; headers: IncomingMessage["headers"]; form: URLSearchParams }[];
  /** Changes how the server answers from now on. */
  respond(fn: (form: URLSearchParams, index: number) => { status: number; body: unknown; delayMs?: number }): void;
  close(): Promise<void>;
}

/** A loopback OAuth2 issuer (simple-oauth2 does not go through `fetch`). */
export async function startTokenServer(lifetimeSeconds = 900): Promise<TokenServer> {
  const requests: TokenServer["requests"] = [];
  let responder = (_form: URLSearchParams, index: number): { status: number; body: unknown; delayMs?: number } => {
    const token = `tok-${index}-${Math.random().toString(36).slice(2)}`;
    issuedTokens.push(token);
    return { status: 200, body: { access_token: token, token_type: "Bearer", expires_in: lifetimeSeconds }, delayMs: 0 };
  };
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const form = new URLSearchParams(raw);
      const index = requests.length;
      requests.push({ path: req.url ?? "", headers: req.headers, form });
      const { status, body, delayMs } = responder(form, index);
      setTimeout(() => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      }, delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(fn) {
      responder = (form, index) => {
        const r = fn(form, index);
        const token = (r.body as { access_token?: unknown })?.access_token;
        if (typeof token === "string") issuedTokens.push(token);
        return r;
      };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

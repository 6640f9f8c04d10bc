/**
 * The one loopback URL the mocks expose: token requests go to the local
 * issuer; API requests meet any scripted fault, are checked for a live token
 * from that issuer (Prism only checks that some Bearer header is present),
 * and are forwarded to the Prism serving the operation's document, which
 * validates them. A request Prism rejects gets a GreenLake error body naming
 * the field and rule; one it accepts is answered by the state layer where it
 * owns the route, else by Prism.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorBody, prismViolations, rejectedRequestBody } from "./error-body.js";
import type { Fault, Faults } from "./faults.js";
import { TokenIssuer } from "./issuer.js";
import type { RouteTable } from "./routes.js";
import type { StateAnswer, StateRequest } from "./state-layer.js";

/** One API request the mocks answered. */
export interface MockCall {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  /** Document that served it, when one matched. */
  readonly document: string | undefined;
  /** Workspace the caller's token is scoped to, when the token was valid. */
  readonly workspaceId: string | undefined;
  /** 0 when a scripted fault dropped the connection. */
  readonly status: number;
  /** The operation it reached, `GET /compute-ops-mgmt/v1/servers`, when one matched. */
  readonly operation?: string;
  /** Who answered: the state layer, Prism, or the front door itself (tokens, faults, errors). */
  readonly answeredBy?: "state" | "prism" | "mocks";
}

/** The state layer, or what wraps it (the event service's routes): which routes it answers, and the answer. */
export interface StateRoutes {
  owns(method: string, template: string): boolean;
  handle(request: StateRequest): StateAnswer | undefined | Promise<StateAnswer | undefined>;
}

export interface FrontDoorOptions {
  readonly issuer: TokenIssuer;
  readonly routes: RouteTable;
  /** Document key -> Prism port. */
  readonly ports: ReadonlyMap<string, number>;
  /** Document key -> why it is not served. */
  readonly unavailable: ReadonlyMap<string, string>;
  readonly port?: number;
  /** Where answered API requests are recorded. */
  readonly calls: MockCall[];
  /** Answers the routes it owns once Prism accepted the request. */
  readonly state?: StateRoutes;
  readonly faults?: Faults;
}

export interface FrontDoor {
  readonly url: string;
  close(): Promise<void>;
}

/** Header telling the caller which workspace its token acted in (tenant calls after a token exchange). */
export const WORKSPACE_HEADER = "x-greenlake-mock-workspace-id";

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

// The shape GreenLake's own APIs use for errors.
function hpeError(res: ServerResponse, status: number, errorCode: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { ...errorBody(status, message), errorCode }, headers);
}

/** Largest token request body the issuer reads: a form of a few fields (a token exchange carries one token). */
export const ISSUER_BODY_LIMIT = 64 * 1024;
/** Largest API request body the front door reads before handing it to Prism. */
export const API_BODY_LIMIT = 10 * 1024 * 1024;

/** A request body over its limit: refused with 413, and never held in memory. */
class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`body over ${limit} bytes`);
  }
}

/** The whole body, unless it is (or says it is) longer than `limit`: then BodyTooLarge, with nothing more kept. */
function readRaw(req: IncomingMessage, limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        req.off("data", onData);
        req.off("end", onEnd);
        chunks.length = 0;
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return (await readRaw(req, limit)).toString("utf8");
}

/**
 * 413 for a body over its limit, answered at once: what else the client sends is read and dropped (never kept),
 * and the connection closes after the answer.
 */
function refuseBody(req: IncomingMessage, res: ServerResponse, limit: number, issuer: boolean): void {
  req.on("data", () => undefined);
  req.resume();
  const what = `The request body is larger than the mock's limit of ${limit} bytes.`;
  const body = issuer ? { error: "invalid_request", error_description: what } : { ...errorBody(413, what), errorCode: "HPE_GL_ERROR_PAYLOAD_TOO_LARGE" };
  const text = JSON.stringify(body);
  res.shouldKeepAlive = false;
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(text), connection: "close" });
  res.end(text, () => req.socket.end());
}

interface PrismAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

function parseJson(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0 || !(contentType ?? "").toLowerCase().includes("json")) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** How a request fails on a connection the other end had already closed. */
const CLOSED_CONNECTION = new Set(["ECONNRESET", "EPIPE"]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes an answer, as slowly (or never) as a scripted fault says. */
async function deliver(res: ServerResponse, status: number, headers: Record<string, string | string[] | undefined>, body: Buffer, fault: Fault | undefined): Promise<void> {
  const clean: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || k === "transfer-encoding" || k === "connection" || k === "keep-alive") continue;
    clean[k] = v;
  }
  clean["content-length"] = String(body.length);
  res.writeHead(status, clean);
  if (fault?.kind === "stall") {
    res.flushHeaders();
    return; // the body never comes; the client's timeout (or stop()) ends the connection
  }
  if (fault?.kind === "slow") {
    res.flushHeaders();
    const half = Math.floor(body.length / 2);
    res.write(body.subarray(0, half));
    await sleep(fault.delayMs);
    res.end(body.subarray(half));
    return;
  }
  res.end(body);
}

/**
 * The workspace a call acts in: the MSP tenant its `Tenant-Acid` header names (a UUID or 32 hex
 * digits, as 32 lowercase hex digits), else its token's. Undefined for a header that names none.
 */
export function actingWorkspace(tenantAcid: string | string[] | undefined, tokenWorkspace: string): string | undefined {
  if (tenantAcid === undefined) return tokenWorkspace;
  if (typeof tenantAcid !== "string") return undefined;
  const hex = tenantAcid.trim().toLowerCase();
  if (/^[0-9a-f]{32}$/.test(hex)) return hex;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(hex)) return hex.replaceAll("-", "");
  return undefined;
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const { issuer, routes, ports, unavailable, calls, state, faults } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const pathname = new URL(rawUrl, "http://mock.invalid").pathname;
    if (TokenIssuer.handles(pathname)) {
      let form: string;
      try {
        form = await readBody(req, ISSUER_BODY_LIMIT);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        refuseBody(req, res, error.limit, true);
        return;
      }
      const answer = issuer.handle(method, pathname, req.headers, form);
      sendJson(res, answer.status, answer.body, answer.headers);
      return;
    }
    const record = (document: string | undefined, workspaceId: string | undefined, status: number) =>
      calls.push({ method, url: rawUrl, document, workspaceId, status, answeredBy: "mocks" });

    const route = routes.match(method, pathname);
    if (route === undefined) {
      req.resume();
      record(undefined, undefined, 404);
      hpeError(res, 404, "HPE_GL_ERROR_NOT_FOUND", `No mocked GreenLake operation matches ${method} ${pathname}.`);
      return;
    }
    const operation = `${method.toUpperCase()} ${route.path}`;
    const recordOp = (workspaceId: string | undefined, status: number, answeredBy: MockCall["answeredBy"]) =>
      calls.push({ method, url: rawUrl, document: route.document, workspaceId, status, operation, answeredBy });
    const fault = faults?.take(method, route.path);
    const token = bearer(req.headers.authorization);
    if (fault?.kind === "expire-token" && token !== undefined) issuer.expire(token);
    if (fault?.kind === "revoke-tokens") issuer.revokeAll();
    const info = token === undefined ? undefined : issuer.verify(token);
    if (info === undefined) {
      req.resume();
      recordOp(undefined, 401, "mocks");
      const message = token === undefined ? "Missing bearer token." : "The bearer token was not issued by this workspace's issuer or has expired.";
      hpeError(res, 401, "HPE_GL_ERROR_UNAUTHORIZED", message, { "www-authenticate": 'Bearer error="invalid_token"' });
      return;
    }
    const metered = faults?.meter(method, route.path, Date.now());
    const rateHeaders = metered?.headers ?? {};
    if (metered?.limited) {
      req.resume();
      recordOp(info.workspaceId, 429, "mocks");
      hpeError(res, 429, "HPE_GL_ERROR_TOO_MANY_REQUESTS", `Rate limit of ${rateHeaders["ratelimit-limit"]} calls exceeded for ${operation}; retry after ${metered.resetSeconds} s.`, {
        ...rateHeaders,
        "retry-after": String(metered.resetSeconds),
      });
      return;
    }
    if (fault?.kind === "429" || fault?.kind === "503") {
      req.resume();
      const status = Number(fault.kind);
      recordOp(info.workspaceId, status, "mocks");
      const seconds = fault.retryAfterSeconds;
      const inBody = fault.kind === "429" && fault.retryAfterIn === "body";
      const message = status === 429 ? `Too many requests to ${operation}.` : `${operation} is temporarily unavailable.`;
      const body = { ...errorBody(status, message), ...(inBody && seconds !== undefined ? { retryAfterSeconds: seconds } : {}) };
      sendJson(res, status, body, { ...rateHeaders, ...(!inBody && seconds !== undefined ? { "retry-after": String(seconds) } : {}) });
      return;
    }
    if (fault?.kind === "reset" && fault.when === "before") {
      req.resume();
      recordOp(info.workspaceId, 0, "mocks");
      req.socket.destroy();
      return;
    }
    const workspaceId = actingWorkspace(req.headers["tenant-acid"], info.workspaceId);
    if (workspaceId === undefined) {
      req.resume();
      recordOp(info.workspaceId, 400, "mocks");
      hpeError(res, 400, "HPE_GL_ERROR_BAD_REQUEST", `${operation}: the Tenant-Acid header must be one tenant's application customer id, a UUID; send it once, or leave it out to act in your own workspace.`);
      return;
    }
    const port = ports.get(route.document);
    if (port === undefined) {
      req.resume();
      recordOp(info.workspaceId, 501, "mocks");
      const why = unavailable.get(route.document) ?? "its service was not started (see the `services` option of startMocks)";
      hpeError(res, 501, "HPE_GL_ERROR_NOT_IMPLEMENTED", `The mock of document ${route.document} is not running: ${why}.`);
      return;
    }
    let requestBody: Buffer;
    try {
      requestBody = await readRaw(req, API_BODY_LIMIT);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      recordOp(info.workspaceId, 413, "mocks");
      refuseBody(req, res, error.limit, false);
      return;
    }
    let prism: PrismAnswer;
    try {
      prism = await forward(port, method, rawUrl, req.headers, requestBody);
    } catch (error) {
      recordOp(info.workspaceId, 502, "mocks");
      hpeError(res, 502, "HPE_GL_ERROR_BAD_GATEWAY", `The Prism mock of ${route.document} did not answer: ${(error as Error).message}.`);
      return;
    }
    let answer: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; by: MockCall["answeredBy"] };
    if (prism.status >= 400 && prism.status < 500) {
      // Prism rejected the request: say which field broke which rule, in GreenLake's words.
      const issues = prismViolations(prism.headers["sl-violations"]);
      const problem = parseJson(prism.body, String(prism.headers["content-type"] ?? "")) as { detail?: string; title?: string } | undefined;
      const extra = issues.length === 0 && problem !== undefined ? [{ subject: "request", description: String(problem.detail ?? problem.title ?? "") }] : [];
      const body = rejectedRequestBody(prism.status, method.toUpperCase(), pathname, [...issues, ...extra]);
      const headers: Record<string, string | string[] | undefined> = { "content-type": "application/json" };
      if (prism.headers["sl-violations"] !== undefined) headers["sl-violations"] = prism.headers["sl-violations"];
      answer = { status: prism.status, headers, body: Buffer.from(JSON.stringify(body)), by: "mocks" };
    } else {
      let stateAnswer: StateAnswer | undefined;
      if (state?.owns(method, route.path)) {
        stateAnswer = await state.handle({
          method,
          operation: route,
          pathname,
          query: new URL(rawUrl, "http://mock.invalid").searchParams,
          body: parseJson(requestBody, req.headers["content-type"]),
          workspaceId,
        });
      }
      if (stateAnswer !== undefined) {
        const text = stateAnswer.body === undefined ? "" : JSON.stringify(stateAnswer.body);
        const headers: Record<string, string> = { ...stateAnswer.headers };
        if (text !== "") headers["content-type"] = "application/json";
        answer = { status: stateAnswer.status, headers, body: Buffer.from(text), by: "state" };
      } else {
        answer = { ...prism, by: "prism" };
      }
    }
    if (fault?.kind === "reset" && fault.when === "after") {
      recordOp(info.workspaceId, 0, answer.by);
      req.socket.destroy();
      return;
    }
    recordOp(info.workspaceId, answer.status, answer.by);
    await deliver(res, answer.status, { ...answer.headers, ...rateHeaders, [WORKSPACE_HEADER]: info.workspaceId }, answer.body, fault);
  };

  /**
   * Prism's answer. A kept-alive connection can be closed by Prism (its idle timeout) just as a request goes
   * out on it, most often when this process was too busy to notice the close in time: that request is sent
   * once more, on a new connection. Prism holds no state, so a repeat is harmless; a new connection that fails
   * is a real failure.
   */
  const forward = (port: number, method: string, path: string, headers: IncomingMessage["headers"], body: Buffer, fresh = false): Promise<PrismAnswer> =>
    new Promise((resolve, reject) => {
      const outgoing = { ...headers, "content-length": String(body.length) };
      delete outgoing["transfer-encoding"];
      const upstream = httpRequest({ host: "127.0.0.1", port, method, path, headers: outgoing, agent: fresh ? false : agent }, (answer) => {
        readRaw(answer).then((data) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: data }), reject);
      });
      upstream.on("error", (error: NodeJS.ErrnoException) => {
        if (!fresh && upstream.reusedSocket && CLOSED_CONNECTION.has(error.code ?? "")) forward(port, method, path, headers, body, true).then(resolve, reject);
        else reject(error);
      });
      upstream.end(body);
    });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else hpeError(res, 500, "HPE_GL_ERROR_INTERNAL_SERVER_ERROR", `Mock front door failed: ${String(error)}`);
    });
  });
  // Idle connections stay open until the client closes them (or stop()): a server closing an idle connection
  // races the client's next request on it, which then fails with ECONNRESET, most often on a busy machine where
  // the client notices the close late. Without a timeout in the answers, clients apply their own, shorter one.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The one loopback URL the mocks expose: token requests go to the local
 * issuer; API requests are checked for a live token from that issuer (Prism
 * only checks that some Bearer header is present) and forwarded to the Prism
 * serving the operation's document.
 */
import { randomUUID } from "node:crypto";
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TokenIssuer } from "./issuer.js";
import type { RouteTable } from "./routes.js";

/** One API request the mocks answered. */
export interface MockCall {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  /** Document that served it, when one matched. */
  readonly document: string | undefined;
  /** Workspace the caller's token is scoped to, when the token was valid. */
  readonly workspaceId: string | undefined;
  readonly status: number;
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
  sendJson(res, status, { httpStatusCode: status, errorCode, message, debugId: randomUUID() }, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  const { issuer, routes, ports, unavailable, calls } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const pathname = new URL(rawUrl, "http://mock.invalid").pathname;
    if (TokenIssuer.handles(pathname)) {
      const answer = issuer.handle(method, pathname, req.headers, await readBody(req));
      sendJson(res, answer.status, answer.body, answer.headers);
      return;
    }
    const record = (document: string | undefined, workspaceId: string | undefined, status: number) =>
      calls.push({ method, url: rawUrl, document, workspaceId, status });

    const route = routes.match(method, pathname);
    if (route === undefined) {
      record(undefined, undefined, 404);
      hpeError(res, 404, "HPE_GL_ERROR_NOT_FOUND", `No mocked GreenLake operation matches ${method} ${pathname}.`);
      return;
    }
    const token = bearer(req.headers.authorization);
    const info = token === undefined ? undefined : issuer.verify(token);
    if (info === undefined) {
      req.resume();
      record(route.document, undefined, 401);
      const message = token === undefined ? "Missing bearer token." : "The bearer token was not issued by this workspace's issuer or has expired.";
      hpeError(res, 401, "HPE_GL_ERROR_UNAUTHORIZED", message, { "www-authenticate": 'Bearer error="invalid_token"' });
      return;
    }
    const port = ports.get(route.document);
    if (port === undefined) {
      req.resume();
      record(route.document, info.workspaceId, 501);
      const why = unavailable.get(route.document) ?? "its service was not started (see the `services` option of startMocks)";
      hpeError(res, 501, "HPE_GL_ERROR_NOT_IMPLEMENTED", `The mock of document ${route.document} is not running: ${why}.`);
      return;
    }
    const upstream = httpRequest({ host: "127.0.0.1", port, method, path: rawUrl, headers: req.headers, agent }, (answer) => {
      record(route.document, info.workspaceId, answer.statusCode ?? 0);
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, [WORKSPACE_HEADER]: info.workspaceId });
      answer.pipe(res);
    });
    upstream.on("error", (error) => {
      if (res.headersSent) res.destroy(error);
      else hpeError(res, 502, "HPE_GL_ERROR_BAD_GATEWAY", `The Prism mock of ${route.document} did not answer: ${error.message}.`);
    });
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else hpeError(res, 500, "HPE_GL_ERROR_INTERNAL_SERVER_ERROR", `Mock front door failed: ${String(error)}`);
    });
  });
  server.keepAliveTimeout = 5_000;
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

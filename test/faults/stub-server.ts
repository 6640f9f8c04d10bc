/**
 * A loopback stand-in for one GreenLake service and its token issuer: a large
 * server listing with offset/limit/total paging, a create operation that
 * counts what it receives, and a client-credentials token endpoint.
 */
import http from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";

export const SERVERS_PATH = "/compute-ops-mgmt/v1/servers";

export interface StubCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly workspaceId: string;
}

export interface StubServerOptions {
  readonly itemCount: number;
  /** Largest page the listing returns, whatever `limit` asks for. */
  readonly maxPageSize: number;
  readonly credentials: StubCredentials;
}

export interface StubServer {
  readonly url: string;
  /** Workspace-form token URL, as GreenLake's issuer publishes it. */
  readonly tokenUrl: string;
  /** Every access token handed out, to check none leaks into output. */
  readonly issuedTokens: readonly string[];
  /** Create requests received, by the `appliance.applianceId` in their body. */
  readonly createsReceived: ReadonlyMap<string, number>;
  /** Listing requests that carried a valid token. */
  readonly pageRequests: () => number;
  stop(): Promise<void>;
}

export function serverId(index: number): string {
  // A `+` in the id, as Compute Ops Management ids carry one.
  return `P${String(index).padStart(5, "0")}+SN${String(index * 7919).padStart(8, "0")}`;
}

export async function startStubServer(options: StubServerOptions): Promise<StubServer> {
  const issuedTokens: string[] = [];
  const createsReceived = new Map<string, number>();
  const sockets = new Set<Socket>();
  let pageRequests = 0;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://stub.invalid");
    const body = await readText(req);
    const send = (status: number, payload: unknown) => {
      const text = JSON.stringify(payload);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    const problem = (status: number, errorCode: string, message: string) =>
      send(status, { httpStatusCode: status, errorCode, message, debugId: `stub-${randomBytes(4).toString("hex")}` });

    if (req.method === "POST" && url.pathname === `/authorization/v2/oauth2/${options.credentials.workspaceId}/token`) {
      if (!clientAuthenticated(req, body, options.credentials)) return problem(401, "invalid_client", "unknown client");
      const token = `stub-token-${randomBytes(18).toString("hex")}`;
      issuedTokens.push(token);
      return send(200, { access_token: token, token_type: "Bearer", expires_in: 900 });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (bearer === undefined || !issuedTokens.includes(bearer)) return problem(401, "HPE_GL_ERROR_UNAUTHORIZED", "missing or unknown bearer token");

    if (req.method === "GET" && url.pathname === SERVERS_PATH) {
      pageRequests += 1;
      const offset = Number(url.searchParams.get("offset") ?? 0);
      const limit = Math.min(Number(url.searchParams.get("limit") ?? options.maxPageSize), options.maxPageSize);
      if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 0) {
        return problem(400, "HPE_GL_ERROR_BAD_REQUEST", "offset and limit must be non-negative integers");
      }
      const end = Math.min(offset + limit, options.itemCount);
      const items = [];
      for (let i = offset; i < end; i++) items.push({ id: serverId(i), type: "compute-ops-mgmt/server", name: `server-${i}` });
      return send(200, { items, offset, count: items.length, total: options.itemCount });
    }

    if (req.method === "POST" && url.pathname === SERVERS_PATH) {
      const marker = parseMarker(body);
      createsReceived.set(marker, (createsReceived.get(marker) ?? 0) + 1);
      return send(202, { jobId: randomUUID() });
    }

    return problem(404, "HPE_GL_ERROR_NOT_FOUND", `no route for ${req.method} ${url.pathname}`);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    tokenUrl: `${url}/authorization/v2/oauth2/${options.credentials.workspaceId}/token`,
    issuedTokens,
    createsReceived,
    pageRequests: () => pageRequests,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Accepts the client in the Basic header or in the form body, as OAuth2 allows both. */
function clientAuthenticated(req: http.IncomingMessage, body: string, credentials: StubCredentials): boolean {
  const form = new URLSearchParams(body);
  let id = form.get("client_id");
  let secret = form.get("client_secret");
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    id = decodeURIComponent(decoded.slice(0, colon));
    secret = decodeURIComponent(decoded.slice(colon + 1));
  }
  return form.get("grant_type") === "client_credentials" && id === credentials.clientId && secret === credentials.clientSecret;
}

function parseMarker(body: string): string {
  try {
    const parsed = JSON.parse(body) as { appliance?: { applianceId?: unknown } };
    const marker = parsed.appliance?.applianceId;
    return typeof marker === "string" ? marker : "(unmarked)";
  } catch {
    return "(not json)";
  }
}

function readText(stream: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

/**
 * A loopback HTTP proxy that forwards to one upstream and, when asked, breaks
 * an exchange the way real networks and overloaded services do.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault =
  /** A response made up by the proxy; the upstream never sees the request. */
  | { readonly kind: "status"; readonly status: number; readonly retryAfterSeconds?: number }
  /** The connection drops before the request reaches the upstream. */
  | { readonly kind: "reset-before-send" }
  /** The upstream handles the request, then the connection drops before the response. */
  | { readonly kind: "reset-after-send" }
  /** The upstream handles the request; its response is held back this long. */
  | { readonly kind: "slow"; readonly delayMs: number }
  /** The upstream's response is cut off half way through its body. */
  | { readonly kind: "truncated-body" }
  /** The upstream's status and headers, with a body that is not JSON. */
  | { readonly kind: "malformed-json" };

export interface ProxiedRequest {
  readonly method: string;
  /** Path and query exactly as the client sent them (still percent-encoded). */
  readonly url: string;
  readonly body: string;
}

export interface Exchange extends ProxiedRequest {
  readonly fault: Fault["kind"] | "none";
}

export interface FaultProxyOptions {
  /** Upstream base URL, e.g. `http://127.0.0.1:4010`. */
  readonly target: string;
  /** Decides the fate of each request; `undefined` forwards it untouched. */
  readonly choose: (request: ProxiedRequest) => Fault | undefined;
}

export interface FaultProxy {
  readonly url: string;
  /** Every request the proxy saw, in arrival order, with what it did to it. */
  readonly exchanges: readonly Exchange[];
  stop(): Promise<void>;
}

interface UpstreamResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "content-length"]);

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") {
    throw new Error(`fault proxy forwards to loopback only, not ${target.host}`);
  }
  const exchanges: Exchange[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const request: ProxiedRequest = { method: req.method ?? "GET", url: req.url ?? "/", body: body.toString("utf8") };
    const fault = options.choose(request);
    exchanges.push({ ...request, fault: fault?.kind ?? "none" });

    if (fault?.kind === "status") {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status, headers);
      res.end(JSON.stringify({ httpStatusCode: fault.status, errorCode: "HPE_GL_FAULT_PROXY", message: "injected", debugId: "fault-proxy" }));
      return;
    }
    if (fault?.kind === "reset-before-send") {
      req.socket.destroy();
      return;
    }

    let upstream: UpstreamResponse;
    try {
      upstream = await forward(target, req, body);
    } catch {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ httpStatusCode: 502, errorCode: "HPE_GL_FAULT_PROXY", message: "upstream unreachable", debugId: "fault-proxy" }));
      return;
    }
    const headers = passHeaders(upstream.headers);

    switch (fault?.kind) {
      case "reset-after-send":
        req.socket.destroy();
        return;
      case "slow": {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (res.destroyed) return;
          res.writeHead(upstream.status, { ...headers, "content-length": String(upstream.body.length) });
          res.end(upstream.body);
        }, fault.delayMs);
        timers.add(timer);
        return;
      }
      case "truncated-body": {
        // Announce the full length, send half, then drop: the client sees a body that ends early.
        res.writeHead(upstream.status, { ...headers, "content-length": String(upstream.body.length) });
        res.write(upstream.body.subarray(0, Math.floor(upstream.body.length / 2)));
        setImmediate(() => req.socket.destroy());
        return;
      }
      case "malformed-json": {
        const broken = Buffer.from(`{"items": [ {"id": "unterminated`, "utf8");
        delete headers["content-encoding"];
        res.writeHead(upstream.status, { ...headers, "content-type": "application/json", "content-length": String(broken.length) });
        res.end(broken);
        return;
      }
      default:
        res.writeHead(upstream.status, { ...headers, "content-length": String(upstream.body.length) });
        res.end(upstream.body);
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

function forward(target: URL, req: http.IncomingMessage, body: Buffer): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const headers = passHeaders(req.headers);
    headers["content-length"] = String(body.length);
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: false },
      (res) => {
        readBody(res).then((buffer) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: buffer }), reject);
      },
    );
    upstream.on("error", reject);
    upstream.end(body);
  });
}

function passHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Loopback {
  readonly url: string;
  /** Requests received so far (method and raw target), oldest first. */
  readonly received: { method: string; target: string; headers: IncomingMessage["headers"]; body: string }[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 whose every answer the test writes; closing it drops every open connection. */
export async function startLoopback(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Loopback> {
  const sockets = new Set<Socket>();
  const received: Loopback["received"] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ method: req.method ?? "", target: req.url ?? "", headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A workspace issuer and an API on one loopback server: API paths answer an empty listing, token requests `onToken`. */
export function startIssuerBesideApi(onToken: (req: IncomingMessage, res: ServerResponse) => void): Promise<Loopback> {
  return startLoopback((req, res) => {
    if (req.url?.includes("/token")) return onToken(req, res);
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"items":[]}');
  });
}

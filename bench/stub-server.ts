/**
 * Loopback stub of the GreenLake surface the bench exercises: an OAuth token
 * endpoint, the generated server page and server item (see payload.ts), and a
 * paged list served at most `maxConcurrentPages` at a time, as a real server
 * limits a client. Runs in its own process so the server's work does not
 * share the clients' event loop.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { PaginationMetadata } from "../src/metadata.js";

export interface PagedRoute {
  path: string;
  pagination: PaginationMetadata;
  totalItems: number;
  delayMs: number;
  /** Page size the stub serves at most, whatever the client asks. */
  maxPageSize: number;
  /** Pages in preparation at once; later requests wait their turn. */
  maxConcurrentPages: number;
}

export type StubCommand =
  | { type: "stats" }
  | { type: "reset" }
  | { type: "paged"; route: PagedRoute | null }
  | { type: "bodies"; page: string; item: string; pagePath: string };

export interface StubStats {
  tokenRequests: number;
  requests: number;
}

let bodies = { page: "{}", item: "{}", pagePath: "/" };
let pagesInFlight = 0;
const waitingPages: (() => void)[] = [];

let stats: StubStats = { tokenRequests: 0, requests: 0 };
let paged: PagedRoute | null = null;
/** Page bodies by query string, built before timing starts so the stub's own JSON work is not measured. */
let pageCache = new Map<string, string>();

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.on("data", () => {}).on("end", resolve);
  });
}

function pageBody(route: PagedRoute, query: URLSearchParams): string {
  const p = route.pagination;
  const asked = Number(query.get(p.limitParam) ?? route.maxPageSize);
  const limit = Math.max(1, Math.min(asked, route.maxPageSize));
  const raw = query.get(p.pageParam);
  let start = 0;
  if (p.style === "offset-items") start = Number(raw ?? 0);
  else if (p.style === "offset-pages") start = Number(raw ?? 0) * limit;
  else start = raw ? Number(raw) : 0;
  const end = Math.min(start + limit, route.totalItems);
  const items = [];
  for (let i = start; i < end; i++) items.push({ id: `item-${i}`, name: `Item ${i}`, serial: `SN${i}` });
  const body: Record<string, unknown> = { [p.itemsField]: items, count: items.length };
  if (p.style !== "cursor") {
    body[p.totalField ?? "total"] = route.totalItems;
    body[p.pageParam] = raw === null ? 0 : Number(raw);
  } else if (end < route.totalItems) {
    body[p.nextField ?? "next"] = String(end);
  }
  return JSON.stringify(body);
}

/** Every full page as a client paging with `maxPageSize` asks for it (limit first, as openapi-fetch orders the query). */
function prebuildPages(route: PagedRoute): Map<string, string> {
  const cache = new Map<string, string>();
  const { limitParam, pageParam, style } = route.pagination;
  const size = route.maxPageSize;
  for (let page = 0; page * size < route.totalItems; page++) {
    const position = style === "offset-pages" ? page : page * size;
    for (const query of [`?${limitParam}=${size}&${pageParam}=${position}`, `?${pageParam}=${position}&${limitParam}=${size}`]) {
      cache.set(query, pageBody(route, new URLSearchParams(query)));
    }
    if (page === 0) cache.set(`?${limitParam}=${size}`, pageBody(route, new URLSearchParams(`?${limitParam}=${size}`)));
  }
  return cache;
}

const server = createServer(async (req, res) => {
  stats.requests++;
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (req.method === "POST" && url.pathname.endsWith("/token")) {
    await drain(req);
    stats.tokenRequests++;
    sendJson(res, 200, JSON.stringify({ access_token: "bench-access-token", token_type: "Bearer", expires_in: 7200 }));
    return;
  }
  if (paged && url.pathname === paged.path) {
    const route = paged;
    const body = pageCache.get(url.search) ?? pageBody(route, url.searchParams);
    const serve = () => {
      pagesInFlight++;
      setTimeout(() => {
        sendJson(res, 200, body);
        pagesInFlight--;
        waitingPages.shift()?.();
      }, route.delayMs);
    };
    if (pagesInFlight < route.maxConcurrentPages) serve();
    else waitingPages.push(serve);
    return;
  }
  await drain(req);
  sendJson(res, 200, url.pathname === bodies.pagePath ? bodies.page : bodies.item);
});
server.keepAliveTimeout = 60_000;

process.on("message", (msg: StubCommand) => {
  if (msg.type === "stats") process.send?.({ type: "stats", stats });
  else if (msg.type === "reset") {
    stats = { tokenRequests: 0, requests: 0 };
    process.send?.({ type: "reset" });
  } else if (msg.type === "bodies") {
    bodies = { page: msg.page, item: msg.item, pagePath: msg.pagePath };
    process.send?.({ type: "bodies" });
  } else if (msg.type === "paged") {
    paged = msg.route;
    pageCache = paged ? prebuildPages(paged) : new Map();
    process.send?.({ type: "paged" });
  }
});
process.on("disconnect", () => process.exit(0));

server.listen(0, "127.0.0.1", () => {
  process.send?.({ type: "listening", port: (server.address() as AddressInfo).port });
});

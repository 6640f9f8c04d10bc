/** Redirects a hostile or misconfigured server sends: what reaches another origin. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendHttp } from "../../src/internal/http.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService as metadata } from "./support/fixtures.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Loopback {
  url: string;
  handle(h: Handler): void;
  close(): Promise<void>;
}
async function startLoopback(): Promise<Loopback> {
  let handler: Handler = (_req, res) => res.end("{}");
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handle: (h) => (handler = h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let server: Loopback;
let other: Loopback;
beforeAll(async () => {
  server = await startLoopback();
  other = await startLoopback();
});
afterAll(async () => {
  await server.close();
  await other.close();
});

const ORIGIN_BOUND = ["authorization", "cookie", "proxy-authorization", "tenant-acid"];

/** A header name in any mix of upper and lower case. */
function anyCase(name: string): fc.Arbitrary<string> {
  return fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""));
}

describe("a redirect to another origin", () => {
  it("carries neither credentials nor the tenant, whatever the status, method and header case", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(301, 302, 303, 307, 308),
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
        fc.tuple(...ORIGIN_BOUND.map(anyCase)),
        async (status, method, names) => {
          const seen: IncomingMessage["headers"][] = [];
          other.handle((req, res) => {
            seen.push(req.headers);
            res.end("{}");
          });
          server.handle((_req, res) => res.writeHead(status, { location: `${other.url}/elsewhere` }).end());
          const headers = Object.fromEntries(names.map((name) => [name, `value-of-${name.toLowerCase()}`]));
          const response = await sendHttp({ method, url: `${server.url}/start`, headers, body: method === "GET" ? null : "{}" });
          expect(response.status).toBe(200);
          expect(seen).toHaveLength(1);
          for (const name of ORIGIN_BOUND) expect(seen[0]![name]).toBeUndefined();
        },
      ),
      { numRuns: 40 },
    );
  });

  it("does not take a client's Tenant-Acid or token with it", async () => {
    const seen: IncomingMessage["headers"][] = [];
    other.handle((req, res) => {
      seen.push(req.headers);
      res.end("{}");
    });
    server.handle((_req, res) => res.writeHead(302, { location: `${other.url}/x` }).end());
    const client = createServiceClient<any>(metadata, { token: "tok-abcdefgh", baseUrl: server.url, retry: false, env: {}, tenantAcid: "acid-123" });
    await client.GET("/identity/v1/users", {});
    expect(seen).toHaveLength(1);
    expect(seen[0]!["tenant-acid"]).toBeUndefined();
    expect(seen[0]!.authorization).toBeUndefined();
  });
});

/** One proxy setting carries API calls and token requests alike. */
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeConfigurationError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, WORKSPACE, type FixturePaths } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

let target: Loopback;
let proxy: Server;
let proxyUrl: string;
const through: string[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  target = await startLoopback((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(req.url?.includes("/token") ? '{"access_token":"tok-through-proxy","expires_in":900}' : "{}");
  });
  // A forward proxy on loopback: CONNECT tunnels and absolute-form requests, each one noted.
  proxy = createServer((req, res) => {
    through.push(`${req.method} ${new URL(req.url!).pathname}`);
    const upstream = httpRequest(req.url!, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on("connect", (req, client: Socket, head: Buffer) => {
    through.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(":");
    const upstream = connect(Number(port), host!, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
    }
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => proxy.close(() => r()));
  await target.close();
});

describe("proxy", () => {
  it("sends the token request and the API call through the proxy", async () => {
    const client = createServiceClient<FixturePaths>(globalService, {
      clientId: "proxied",
      clientSecret: "proxied-secret-value",
      workspaceId: WORKSPACE,
      tokenUrl: `${target.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
      baseUrl: target.url,
      proxy: proxyUrl,
      env: {},
    });
    const { response } = await client.GET("/identity/v1/users");
    expect(response.status).toBe(200);
    const host = new URL(target.url).host;
    expect(through).toContain(`POST /authorization/v2/oauth2/${WORKSPACE}/token`);
    expect(through).toContain(`CONNECT ${host}`);
    expect(target.received.map((r) => r.target)).toEqual([`/authorization/v2/oauth2/${WORKSPACE}/token`, "/identity/v1/users"]);
  });

  it("refuses a proxy setting that is not a plain proxy URL", () => {
    for (const proxy of ["socks5://127.0.0.1:1080", "http://proxy.example.com/path", "not a url", "http://proxy.example.com:3128/?x=1"]) {
      expect(() => createServiceClient(globalService, { token: "t", proxy, env: {} })).toThrow(GreenLakeConfigurationError);
    }
  });
});

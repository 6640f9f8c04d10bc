/**
 * The mocks' front door keeps its connections to Prism alive. Prism closes an
 * idle one after its timeout, and a request can go out on it in that instant
 * (a busy test process notices the close late): the request is sent again on
 * a new connection, so the caller gets Prism's answer, not a 502. A new
 * connection that fails is a real failure, answered 502 once.
 */
import fc from "fast-check";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFrontDoor, type FrontDoor, type MockCall } from "../../src/testing/front-door.js";
import { TokenIssuer } from "../../src/testing/issuer.js";
import { RouteTable } from "../../src/testing/routes.js";

const credentials = { clientId: "upstream-client", clientSecret: "upstream-secret", workspaceId: "0123456789abcdef0123456789abcdef" };
const ISSUER_PATH = `/authorization/v2/oauth2/${credentials.workspaceId}/token`;
const PATH = "/things/v1/things";

/** What the stand-in for Prism does with the next requests that arrive on a connection it has answered before. */
let dropReused: boolean[] = [];
/** Drops every request, on any connection. */
let dropAll = false;
/** Requests Prism received, answered or not, and how many it dropped. */
let arrived: string[] = [];
let drops = 0;
const answeredOn = new WeakMap<Socket, number>();

let prism: Server;
let door: FrontDoor;
let calls: MockCall[];
let token: string;

beforeAll(async () => {
  prism = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      arrived.push(`${req.method} ${body}`);
      const reused = (answeredOn.get(req.socket) ?? 0) > 0;
      // As Prism's idle timeout closing the connection the moment the request arrives: no answer, connection gone.
      if (dropAll || (reused && dropReused.shift() === true)) {
        drops++;
        req.socket.destroy();
        return;
      }
      answeredOn.set(req.socket, (answeredOn.get(req.socket) ?? 0) + 1);
      const text = JSON.stringify({ method: req.method, body });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
    });
  });
  prism.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => prism.listen(0, "127.0.0.1", resolve));
  const issuer = new TokenIssuer(credentials, 900);
  const grant = issuer.handle("POST", ISSUER_PATH, { "content-type": "application/x-www-form-urlencoded" }, `grant_type=client_credentials&client_id=${credentials.clientId}&client_secret=${credentials.clientSecret}`);
  token = (grant.body as { access_token: string }).access_token;
  calls = [];
  door = await startFrontDoor({
    issuer,
    routes: new RouteTable(["get", "post", "patch", "delete"].map((method) => ({ document: "things", method, path: PATH }))),
    ports: new Map([["things", (prism.address() as AddressInfo).port]]),
    unavailable: new Map(),
    calls,
  });
});

afterAll(async () => {
  client.destroy();
  await door?.close();
  prism?.closeAllConnections();
  await new Promise<void>((resolve) => prism?.close(() => resolve()));
});

// Kept alive as the SDK's connections are: the front door passes the caller's Connection header on to Prism.
const client = new Agent({ keepAlive: true });

function send(method: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(door.url);
    const req = request({ host: "127.0.0.1", port, method, path: PATH, agent: client, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const methods = fc.constantFrom("GET", "POST", "PATCH", "DELETE");

describe("the front door's connections to Prism", () => {
  it("a request Prism dropped on a kept-alive connection is sent again on a new one, and answered by Prism", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ method: methods, body: fc.string({ maxLength: 64 }), dropped: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        async (requests) => {
          dropAll = false;
          arrived = [];
          drops = 0;
          calls.length = 0;
          // Each request goes out on a kept-alive connection (after the first); those marked are dropped there.
          dropReused = requests.map((r) => r.dropped);
          for (const { method, body } of requests) {
            const answer = await send(method, JSON.stringify(body));
            expect(answer.status, answer.body).toBe(200);
            expect(JSON.parse(answer.body)).toEqual({ method, body: JSON.stringify(body) });
          }
          expect(calls.map((c) => `${c.status} ${c.answeredBy}`)).toEqual(requests.map(() => "200 prism"));
          // Each dropped request was sent once more, and only once.
          expect(arrived).toEqual(expect.arrayContaining(requests.map(({ method, body }) => `${method} ${JSON.stringify(body)}`)));
          expect(arrived.length).toBe(requests.length + drops);
          expect(drops).toBeLessThanOrEqual(requests.length);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("answers 502 naming the document when Prism drops the request on a new connection too, after one more try", async () => {
    dropAll = false;
    dropReused = [];
    await send("GET", ""); // a kept-alive connection to Prism exists
    dropAll = true;
    arrived = [];
    calls.length = 0;
    const answer = await send("GET", "");
    dropAll = false;
    expect(answer.status).toBe(502);
    expect(answer.body).toMatch(/The Prism mock of things did not answer/);
    expect(arrived).toEqual(["GET ", "GET "]);
    expect(calls.map((c) => `${c.status} ${c.answeredBy}`)).toEqual(["502 mocks"]);
  });

  it("leaves closing an idle connection to the client: its answers name no idle timeout, and the next request reuses the connection", async () => {
    dropAll = false;
    dropReused = [];
    const answers = await new Promise<Array<{ keepAlive: string | undefined; connection: string | undefined; reused: boolean }>>((resolve, reject) => {
      const { port } = new URL(door.url);
      const seen: Array<{ keepAlive: string | undefined; connection: string | undefined; reused: boolean }> = [];
      const once = (left: number): void => {
        const req = request({ host: "127.0.0.1", port, method: "GET", path: PATH, agent: client, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on("end", () => {
            seen.push({ keepAlive: res.headers["keep-alive"] as string | undefined, connection: res.headers.connection as string | undefined, reused: req.reusedSocket });
            // The agent takes the connection back once this callback returns.
            if (left > 1) setImmediate(() => once(left - 1));
            else resolve(seen);
          });
        });
        req.on("error", reject);
        req.end();
      };
      once(2);
    });
    expect(answers.map((a) => a.keepAlive)).toEqual([undefined, undefined]);
    expect(answers.map((a) => a.connection)).toEqual(["keep-alive", "keep-alive"]);
    expect(answers[1]!.reused).toBe(true);
  });
});

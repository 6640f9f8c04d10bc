/**
 * The mocks' front door and issuer refuse a body over their limit with 413
 * as soon as it is over (or says it will be), before reading the rest: the
 * client gets the answer while its body is still open, and Prism never sees it.
 */
import fc from "fast-check";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_BODY_LIMIT, ISSUER_BODY_LIMIT, startFrontDoor, type FrontDoor } from "../../src/testing/front-door.js";
import { TokenIssuer } from "../../src/testing/issuer.js";
import { RouteTable } from "../../src/testing/routes.js";

const credentials = { clientId: "limits-client", clientSecret: "limits-secret", workspaceId: "0123456789abcdef0123456789abcdef" };
const ISSUER_PATH = `/authorization/v2/oauth2/${credentials.workspaceId}/token`;

let door: FrontDoor;
let prism: Server;
let prismRequests = 0;
let token: string;

beforeAll(async () => {
  // Stands in for Prism: counts what reaches it.
  prism = createServer((req, res) => {
    prismRequests++;
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => prism.listen(0, "127.0.0.1", resolve));
  const issuer = new TokenIssuer(credentials, 900);
  const grant = issuer.handle("POST", ISSUER_PATH, { "content-type": "application/x-www-form-urlencoded" }, `grant_type=client_credentials&client_id=${credentials.clientId}&client_secret=${credentials.clientSecret}`);
  token = (grant.body as { access_token: string }).access_token;
  door = await startFrontDoor({
    issuer,
    routes: new RouteTable([{ document: "things", method: "post", path: "/things/v1/things" }]),
    ports: new Map([["things", (prism.address() as AddressInfo).port]]),
    unavailable: new Map(),
    calls: [],
  });
});

afterAll(async () => {
  await door?.close();
  await new Promise<void>((resolve) => prism?.close(() => resolve()));
});

interface Sent {
  readonly status: number;
  readonly body: string;
  /** Bytes of the body written before the answer came. */
  readonly written: number;
}

/**
 * Sends `size` bytes in `chunk`-byte writes (chunked, or under a Content-Length saying `size`), never ending the
 * body when chunked: only an answer given before the end settles this.
 */
function sendOpen(path: string, size: number, chunk: number, declared: boolean, headers: Record<string, string>): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(door.url);
    let written = 0;
    let answered = false;
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers: { ...headers, ...(declared ? { "content-length": String(size) } : {}) } });
    req.on("response", (res: IncomingMessage) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8"), written });
        req.destroy();
      });
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    req.flushHeaders();
    const block = Buffer.alloc(chunk, 0x61);
    const pump = (): void => {
      while (!answered && written < size) {
        const n = Math.min(chunk, size - written);
        written += n;
        if (!req.write(n === chunk ? block : block.subarray(0, n))) {
          req.once("drain", pump);
          return;
        }
      }
    };
    // A declared length over the limit is refused on its headers: no byte needs to be sent.
    if (!declared) pump();
  });
}

const form = { "content-type": "application/x-www-form-urlencoded" };
const api = () => ({ "content-type": "application/json", authorization: `Bearer ${token}` });

describe("body limits of the mocks", () => {
  it("refuse a body over the limit with 413 before it ends, and Prism never sees it (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 1024, max: 256 * 1024 }),
        async (toIssuer, declared, over, chunk) => {
          const before = prismRequests;
          const limit = toIssuer ? ISSUER_BODY_LIMIT : API_BODY_LIMIT;
          const sent = await sendOpen(toIssuer ? ISSUER_PATH : "/things/v1/things", limit + over, chunk, declared, toIssuer ? form : api());
          expect(sent.status).toBe(413);
          expect(sent.body).toContain(String(limit));
          expect(prismRequests).toBe(before);
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);

  it("answers an unauthenticated 256 MiB token request with 413 long before the body is sent", async () => {
    const sent = await sendOpen(ISSUER_PATH, 256 * 1024 * 1024, 64 * 1024, false, form);
    expect(sent.status).toBe(413);
    expect(sent.written).toBeLessThan(256 * 1024 * 1024);
  }, 60_000);

  it("still serves bodies within the limits", async () => {
    const body = `grant_type=client_credentials&client_id=${credentials.clientId}&client_secret=${credentials.clientSecret}`;
    const answer = await fetch(`${door.url}${ISSUER_PATH}`, { method: "POST", headers: form, body });
    expect(answer.status).toBe(200);
    const before = prismRequests;
    const call = await fetch(`${door.url}/things/v1/things`, { method: "POST", headers: api(), body: JSON.stringify({ name: "x".repeat(1024 * 1024) }) });
    expect(call.status).toBe(200);
    expect(prismRequests).toBe(before + 1);
  });
});

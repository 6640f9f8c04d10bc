/**
 * A redirect the SDK will not follow (another scheme, a Location that is no URL, or any redirect under
 * `redirect: "error"`), and a status HTTP does not define, are the server's answer, not a lost connection:
 * asking again gets the same answer, so the call fails once, with an error that says the server answered.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeConnectionError, GreenLakeError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";
import { startRawServer, type RawServer } from "./support/raw-server.js";

let server: Loopback;
let raw: RawServer;
let status = 302;
let location = "/";
beforeAll(async () => {
  server = await startLoopback((_req, res) => res.writeHead(status, { location, "content-type": "text/plain" }).end("moved"));
  raw = await startRawServer();
});
afterAll(async () => {
  await server.close();
  await raw.close();
});

const RETRY = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

/** A scheme other than http and https, then anything a Location header can carry. */
const otherScheme = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9+.-]{0,8}$/), fc.stringMatching(/^[!-~]{0,40}$/))
  .filter(([scheme]) => scheme !== "http" && scheme !== "https")
  .map(([scheme, rest]) => `${scheme}:${rest}`);
/** Locations that are no URL at all (a broken host). */
const notAUrl = fc.tuple(fc.constantFrom("http://[", "https://[::1", "https://exa mple.com"), fc.stringMatching(/^[a-z0-9/]{0,10}$/)).map(([a, b]) => a + b);

function client() {
  return createServiceClient<any>(globalService, { token: "tok-abcdefgh", baseUrl: server.url, env: {}, retry: RETRY });
}

async function call(method: string, init: Record<string, unknown> = {}): Promise<unknown> {
  const send = client()[method as "GET"] as (path: string, init: unknown) => Promise<{ error?: unknown }>;
  return send("/identity/v1/users", init).then(
    (result) => result,
    (e: unknown) => e,
  );
}

describe("a redirect the SDK does not follow", () => {
  it("fails the call once, as the server's answer, whatever the scheme or broken Location, status and method", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(otherScheme, notAUrl), fc.constantFrom(301, 302, 303, 307, 308), fc.constantFrom("GET", "PUT", "DELETE"), async (where, redirect, method) => {
        status = redirect;
        location = where;
        const before = server.received.length;
        const error = await call(method);
        expect(error).toBeInstanceOf(GreenLakeError);
        expect(error).not.toBeInstanceOf(GreenLakeConnectionError);
        expect((error as Error).message).not.toMatch(/could not reach|can be retried/);
        expect((error as Error).message).toContain(`${method} /identity/v1/users`);
        expect(server.received.length - before).toBe(1);
      }),
      { numRuns: 40 },
    );
  });

  it("fails a call made with redirect: error once, naming where it was sent", async () => {
    status = 302;
    location = "/elsewhere";
    const before = server.received.length;
    const error = await call("GET", { redirect: "error" });
    expect(error).toBeInstanceOf(GreenLakeError);
    expect(error).not.toBeInstanceOf(GreenLakeConnectionError);
    expect((error as Error).message).toMatch(/redirect/);
    expect(server.received.length - before).toBe(1);
  });

  it("refuses an ftp: Location without asking twice", async () => {
    status = 301;
    location = "ftp://127.0.0.1/x";
    const before = server.received.length;
    const error = await call("GET");
    expect((error as Error).message).toMatch(/ftp:/);
    expect(server.received.length - before).toBe(1);
  });
});

describe("a status outside what HTTP defines", () => {
  it("fails the call once as the server's answer, whatever the status and method", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 600, max: 999 }), fc.constantFrom("GET", "PUT", "DELETE"), async (code, method) => {
        raw.answer = Buffer.from(`HTTP/1.1 ${code} Odd\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`, "latin1");
        let hits = 0;
        const counting = createServiceClient<any>(globalService, {
          token: "tok-abcdefgh",
          baseUrl: raw.url.slice(0, -1),
          env: {},
          retry: RETRY,
          logger: { debug: () => {}, info: (line: string) => void (line.includes("Retry") && hits++), warn: () => {}, error: () => {} },
          logLevel: "info",
        });
        const send = counting[method as "GET"] as (path: string, init: unknown) => Promise<unknown>;
        const error = await send("/identity/v1/users", {}).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GreenLakeError);
        expect(error).not.toBeInstanceOf(GreenLakeConnectionError);
        expect((error as Error).message).toContain(String(code));
        expect(hits).toBe(0);
      }),
      { numRuns: 15 },
    );
  });
});

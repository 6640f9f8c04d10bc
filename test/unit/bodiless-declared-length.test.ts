/**
 * `maxResponseBytes` bounds bodies, and an answer to HEAD has none: the Content-Length such
 * an answer carries (for HEAD, the size a GET would get) is no body to refuse. Both the SDK's HTTP layer and a
 * fetch given to the client.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeResponseTooLargeError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService } from "./support/fixtures.js";
import { startRawServer, type RawServer } from "./support/raw-server.js";

let raw: RawServer;
beforeAll(async () => {
  raw = await startRawServer();
});
afterAll(() => raw.close());

const MAX_BYTES = 1000;

function client(userFetch: boolean) {
  return createServiceClient<any>(globalService, {
    token: "tok-abcdefgh",
    baseUrl: raw.url.slice(0, -1),
    env: {},
    retry: false,
    // Pacing has its own tests; here it would only space the draws by the operation's documented rate.
    pacing: false,
    maxResponseBytes: MAX_BYTES,
    ...(userFetch ? { fetch: (request: Request) => fetch(request) } : {}),
  });
}

async function send(userFetch: boolean, method: "GET" | "HEAD"): Promise<unknown> {
  const call = client(userFetch)[method] as (path: string, init: unknown) => Promise<{ response: Response }>;
  return call("/identity/v1/users", {}).then(
    (result) => result.response.status,
    (error: unknown) => error,
  );
}

/**
 * A body-less answer that declares a length: HEAD with any final status. (undici's dispatcher itself refuses a
 * 204 or 304 whose Content-Length is not 0, as a length mismatch, before the SDK sees it.)
 */
const bodiless = fc.tuple(fc.constant<"HEAD">("HEAD"), fc.constantFrom(200, 203, 206, 400, 404, 410, 500, 502));

describe("a body-less answer that declares a length past maxResponseBytes", () => {
  it("is returned as it is, whatever the declared length, the status and the transport", async () => {
    await fc.assert(
      fc.asyncProperty(bodiless, fc.integer({ min: MAX_BYTES + 1, max: Number.MAX_SAFE_INTEGER }), fc.boolean(), async ([method, status], declared, userFetch) => {
        raw.answer = Buffer.from(`HTTP/1.1 ${status} X\r\ncontent-length: ${declared}\r\nconnection: close\r\n\r\n`, "latin1");
        expect(await send(userFetch, method)).toBe(status);
      }),
      { numRuns: 40 },
    );
  });

  it("answers HEAD of a large resource (Content-Length 100 MiB) with its status", async () => {
    raw.answer = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${100 * 1024 * 1024}\r\nconnection: close\r\n\r\n`, "latin1");
    expect(await send(false, "HEAD")).toBe(200);
  });

  it("still refuses a GET whose 200 declares more than maxResponseBytes, before reading it", async () => {
    raw.answer = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${MAX_BYTES + 1}\r\nconnection: close\r\n\r\n`, "latin1");
    for (const userFetch of [false, true]) expect(await send(userFetch, "GET")).toBeInstanceOf(GreenLakeResponseTooLargeError);
  });
});

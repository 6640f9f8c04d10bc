/**
 * A proxy that accepts the connection but drops it while the CONNECT tunnel is being opened (one that does
 * not tunnel, or that refuses the target without an answer) fails the call with a connection error. undici's
 * ProxyAgent took that drop for a recoverable socket error and reconnected in a tight loop, thousands of
 * connections a second, until the time limit (forever with timeoutMs: 0). The test counts connections and
 * aborts the call itself once they pass a bound, so no verdict depends on time.
 */
import net from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeAbortedError, GreenLakeConnectionError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService } from "../unit/support/fixtures.js";

/** How the proxy drops the CONNECT: at once, after a FIN, after half a status line, after bytes that are no HTTP. */
type Drop = "destroy" | "end" | "partial" | "garbage";

let drop: Drop = "destroy";
let connections = 0;
let onConnection: () => void = () => {};
let proxy: net.Server;
let proxyUrl: string;
beforeAll(async () => {
  proxy = net.createServer((socket) => {
    connections += 1;
    onConnection();
    socket.on("error", () => {});
    socket.once("data", () => {
      if (drop === "destroy") socket.destroy();
      else if (drop === "end") socket.end();
      else if (drop === "partial") socket.end("HTTP/1.1 200");
      else socket.end("\x00\x01 not http at all");
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

// Far above what one call with a few retries should ever open, far below what the loop opens.
const BOUND = 200;

describe("a proxy that drops the CONNECT", () => {
  it("fails the call with a connection error after a bounded number of connections, whatever the drop, method and target", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Drop>("destroy", "end", "partial", "garbage"),
        fc.constantFrom("GET", "POST", "DELETE"),
        fc.constantFrom("https://127.0.0.1:8443", "http://127.0.0.1:8080"),
        fc.integer({ min: 1, max: 3 }),
        async (how, method, baseUrl, maxAttempts) => {
          drop = how;
          connections = 0;
          const controller = new AbortController();
          onConnection = () => {
            if (connections > BOUND) controller.abort(new Error("reconnect loop"));
          };
          const client = createServiceClient<any>(globalService, { token: "tok-abcdefgh", baseUrl, env: {}, timeoutMs: 0, pacing: false, retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2 }, proxy: proxyUrl });
          const send = client[method as "GET"] as (path: string, init: unknown) => Promise<unknown>;
          const error = await send("/identity/v1/users", { signal: controller.signal }).catch((e: unknown) => e);
          expect(error).not.toBeInstanceOf(GreenLakeAbortedError);
          expect(error).toBeInstanceOf(GreenLakeConnectionError);
          expect(connections).toBeLessThanOrEqual(maxAttempts * 2);
        },
      ),
      { numRuns: 16 },
    );
  });
});

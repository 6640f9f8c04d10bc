/**
 * Aborting the caller's signal ends the call at whatever stage it is in, with GreenLakeAbortedError carrying
 * the signal's reason; nothing more is sent after it, and the SDK leaves no listener on the signal. Each abort
 * is triggered by the stage itself being reached (the server or the token provider says so): no timing.
 */
import { getEventListeners } from "node:events";
import type { ServerResponse } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeAbortedError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

type Stage = "before-send" | "awaiting-headers" | "mid-body" | "retry-wait" | "401-replay-token" | "after-redirect";

let stage: Stage = "awaiting-headers";
let reached: () => void = () => {};
const held: ServerResponse[] = [];
let server: Loopback;

beforeAll(async () => {
  server = await startLoopback((req, res) => {
    held.push(res);
    if (stage === "awaiting-headers") return reached();
    if (stage === "mid-body") {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"partial":');
      return reached();
    }
    if (stage === "retry-wait") {
      res.writeHead(503, { "retry-after": "30" }).end();
      return reached();
    }
    if (stage === "401-replay-token") return res.writeHead(401, { "content-type": "application/json" }).end("{}");
    if (stage === "after-redirect") {
      if (!req.url?.endsWith("/moved")) return res.writeHead(307, { location: `${req.url}/moved` }).end();
      return reached();
    }
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
afterAll(async () => {
  for (const res of held) res.destroy();
  await server.close();
});

describe("the caller's abort", () => {
  it("ends the call at every stage with its reason, sends nothing more and leaves no listener", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Stage>("before-send", "awaiting-headers", "mid-body", "retry-wait", "401-replay-token", "after-redirect"),
        fc.boolean(),
        fc.constantFrom("GET", "PUT", "POST"),
        async (where, userFetch, method) => {
          stage = where;
          const controller = new AbortController();
          const reason = new Error(`stopped at ${where}`);
          reached = () => controller.abort(reason);
          if (where === "before-send") controller.abort(reason);
          let tokenCalls = 0;
          const client = createServiceClient<any>(globalService, {
            // Renewable: a 401 asks for a new token, and that second request is where the abort lands.
            token: () => {
              tokenCalls += 1;
              if (where === "401-replay-token" && tokenCalls === 2) {
                reached();
                return new Promise<string>(() => {});
              }
              return "tok-abcdefgh";
            },
            baseUrl: server.url,
            env: {},
            timeoutMs: 0,
            retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 60_000 },
            ...(userFetch ? { fetch: (request: Request) => fetch(request) } : {}),
          });
          const send = client[method as "GET"] as (path: string, init: unknown) => Promise<unknown>;
          const before = server.received.length;
          const outcome = await send("/identity/v1/users", { signal: controller.signal }).catch((e: unknown) => e);
          expect(outcome).toBeInstanceOf(GreenLakeAbortedError);
          // The reason, as errors keep causes: a redacted copy.
          expect(((outcome as Error).cause as Error).message).toBe(reason.message);
          const sent = server.received.length - before;
          expect(sent).toBe(where === "before-send" ? 0 : where === "after-redirect" ? 2 : 1);
          expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { Agent, getGlobalDispatcher, MockAgent, setGlobalDispatcher } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeError } from "../../src/errors.js";
import { httpFetch } from "../../src/internal/http.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService as metadata } from "./support/fixtures.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Loopback {
  url: string;
  handle(handler: Handler): void;
  close(): Promise<void>;
}

async function startLoopback(): Promise<Loopback> {
  let handler: Handler = (_req, res) => res.end("{}");
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => handler(req, res, body));
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
const originalFetch = globalThis.fetch;

beforeAll(async () => {
  server = await startLoopback();
  other = await startLoopback();
});
afterEach(() => {
  globalThis.fetch = originalFetch;
});
afterAll(async () => {
  await server.close();
  await other.close();
});

function client(options: Record<string, unknown> = {}) {
  return createServiceClient<any>(metadata, { token: "tok", baseUrl: server.url, retry: false, env: {}, ...options });
}

describe("httpFetch", () => {
  it("answers what the platform fetch answers: status, headers and the same bytes, however the server splits them", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(200, 201, 400, 404, 429, 500, 503),
        fc.string({ unit: "grapheme", maxLength: 300 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 5 }),
        fc.boolean(),
        async (status, text, bom, cuts, declareLength) => {
          const bytes = Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, "utf8")]);
          server.handle((_req, res) => {
            res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "x-trace": "a", ...(declareLength ? { "content-length": bytes.length } : {}) });
            let at = 0;
            for (const cut of cuts) {
              res.write(bytes.subarray(at, at + cut));
              at += cut;
            }
            res.end(bytes.subarray(at));
          });
          const mine = await httpFetch(new Request(`${server.url}/x?q=1`));
          const platform = await originalFetch(`${server.url}/x?q=1`);
          expect(mine.status).toBe(platform.status);
          expect(mine.ok).toBe(platform.ok);
          expect(mine.headers.get("x-trace")).toBe("a");
          expect(mine.url).toBe(platform.url);
          const clone = mine.clone();
          expect(await mine.text()).toBe(await platform.text());
          expect(new Uint8Array(await clone.arrayBuffer())).toEqual(new Uint8Array(bytes));
          expect(mine.bodyUsed).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("ends a call whose body stalls with a time limit error, however much of the body came first", async () => {
    // Fails with the platform fetch under the same transport: the attempt's timer is cleared once headers arrive.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2000 }), fc.boolean(), fc.boolean(), async (sentBytes, declareLength, withSignal) => {
        server.handle((_req, res) => {
          res.writeHead(200, { "content-type": "application/json", ...(declareLength ? { "content-length": sentBytes + 100 } : {}) });
          res.write(`[${"1,".repeat(sentBytes >> 1)}`.slice(0, Math.max(1, sentBytes)));
          // ...and nothing more: the body never ends.
        });
        const init = withSignal ? { signal: new AbortController().signal, timeoutMs: 60 } : { timeoutMs: 60 };
        const call = client().GET("/identity/v1/users", init).then(
          () => "answered",
          (e: unknown) => e,
        );
        const outcome = await Promise.race([call, new Promise((resolve) => setTimeout(resolve, 2000, "still waiting after 2 s"))]);
        expect(outcome).toBeInstanceOf(Error);
      }),
      { numRuns: 8 },
    );
  }, 300_000);

  it("stops when the caller aborts, also in the middle of the body", async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[1,");
    });
    const controller = new AbortController();
    const call = httpFetch(new Request(`${server.url}/slow`), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 30);
    await expect(call).rejects.toThrow("stop");
  });

  it("reports a connection failure as fetch does, a TypeError with the cause, so retry rules read it alike", async () => {
    const closed = await startLoopback();
    const url = closed.url;
    await closed.close();
    const error = (await httpFetch(new Request(`${url}/x`)).catch((e: unknown) => e)) as TypeError & { cause?: { code?: string } };
    expect(error).toBeInstanceOf(TypeError);
    expect(error.cause?.code).toBe("ECONNREFUSED");
  });

  it("follows redirects as fetch does: 303 becomes GET without body, a new origin gets no Authorization", async () => {
    const seen: { method: string; authorization?: string; body: string; host?: string }[] = [];
    other.handle((req, res, body) => {
      seen.push({ method: req.method!, authorization: req.headers.authorization, body, host: "other" });
      res.end('{"done":true}');
    });
    server.handle((req, res, body) => {
      seen.push({ method: req.method!, authorization: req.headers.authorization, body });
      if (req.url === "/start") res.writeHead(303, { location: "/next" }).end();
      else res.writeHead(307, { location: `${other.url}/final` }).end();
    });
    const response = await httpFetch(new Request(`${server.url}/start`, { method: "POST", body: "payload", headers: { authorization: "Bearer t" } }));
    expect(await response.json()).toEqual({ done: true });
    expect(response.redirected).toBe(true);
    expect(response.url).toBe(`${other.url}/final`);
    expect(seen).toEqual([
      { method: "POST", authorization: "Bearer t", body: "payload" },
      { method: "GET", authorization: "Bearer t", body: "" },
      { method: "GET", authorization: undefined, body: "", host: "other" },
    ]);
  });

  it("returns the redirect itself with redirect: manual, and refuses it with redirect: error", async () => {
    server.handle((_req, res) => res.writeHead(302, { location: "/elsewhere" }).end());
    const manual = await httpFetch(new Request(`${server.url}/r`, { redirect: "manual" }));
    expect(manual.status).toBe(302);
    // The server would redirect again on every try: a final GreenLakeError, not a network failure to retry.
    await expect(httpFetch(new Request(`${server.url}/r`, { redirect: "error" }))).rejects.toBeInstanceOf(GreenLakeError);
  });

  it("sends through the dispatcher given per call (a proxy agent, for instance)", async () => {
    server.handle((_req, res) => res.end("{}"));
    const agent = new Agent();
    let dispatched = 0;
    const dispatch = agent.dispatch.bind(agent);
    agent.dispatch = (options, handler) => {
      dispatched++;
      return dispatch(options, handler);
    };
    await (await httpFetch(new Request(`${server.url}/via`), { dispatcher: agent })).text();
    expect(dispatched).toBe(1);
    await agent.close();
  });

  it("answers 204 and HEAD with no body", async () => {
    server.handle((req, res) => (req.url === "/empty" ? res.writeHead(204).end() : res.writeHead(200, { "content-length": "2" }).end(req.method === "HEAD" ? undefined : "{}")));
    expect((await httpFetch(new Request(`${server.url}/empty`))).body).toBeNull();
    expect((await httpFetch(new Request(`${server.url}/head`, { method: "HEAD" }))).body).toBeNull();
  });
});

describe("interception", () => {
  it("goes through undici's global dispatcher from the first call on, so a MockAgent installed at any time intercepts", async () => {
    server.handle((_req, res) => res.end('{"from":"server"}'));
    const original = getGlobalDispatcher();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), fc.boolean(), async (installs, beforeConstruction) => {
          setGlobalDispatcher(original);
          let intercepted = 0;
          const mock = new MockAgent();
          mock.enableNetConnect();
          mock
            .get(server.url)
            .intercept({ path: "/identity/v1/users", method: "GET" })
            .reply(200, () => {
              intercepted++;
              return '{"from":"mock"}';
            }, { headers: { "content-type": "application/json" } })
            .persist();
          if (beforeConstruction) setGlobalDispatcher(mock);
          const c = client();
          let expected = 0;
          for (const installed of installs) {
            setGlobalDispatcher(installed ? mock : original);
            const { data } = await c.GET("/identity/v1/users", {});
            if (installed) expected++;
            expect(data).toEqual({ from: installed ? "mock" : "server" });
          }
          expect(intercepted).toBe(expected);
          await mock.close();
        }),
        { numRuns: 30 },
      );
    } finally {
      setGlobalDispatcher(original);
    }
  });

  it("goes through a dispatcher given to the call", async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock.get(server.url).intercept({ path: "/identity/v1/users", method: "GET" }).reply(200, '{"from":"dispatcher"}', { headers: { "content-type": "application/json" } });
    const { data } = await client().GET("/identity/v1/users", { dispatcher: mock });
    expect(data).toEqual({ from: "dispatcher" });
    await mock.close();
  });

  it("uses the caller's fetch when one is given", async () => {
    let calls = 0;
    const c = client({
      fetch: async () => {
        calls++;
        return new Response("{}", { headers: { "content-type": "application/json" } });
      },
    });
    await c.GET("/identity/v1/users", {});
    expect(calls).toBe(1);
  });
});

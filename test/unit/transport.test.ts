/** The transport: what reaches the wire on every attempt, redirects with a body, and failures that name where. */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeConnectionError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, json, type FixturePaths } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback((req, res, body) => {
    if (req.url?.startsWith("/redirect/")) {
      const code = Number(req.url.split("/")[2]);
      res.writeHead(code, { location: "/identity/v1/users?landed=1" });
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ method: req.method, target: req.url, body }));
  });
});
afterAll(() => server.close());

describe("request options on the wire", () => {
  it("sends every RequestInit option the call took on every attempt", async () => {
    const init = fc.record(
      {
        cache: fc.constantFrom<RequestCache>("no-store", "reload", "no-cache", "force-cache"),
        keepalive: fc.boolean(),
        redirect: fc.constantFrom<RequestRedirect>("follow", "manual", "error"),
        referrerPolicy: fc.constantFrom<ReferrerPolicy>("no-referrer", "origin", "same-origin"),
        dispatcher: fc.constant({ name: "custom-dispatcher" }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(init, fc.integer({ min: 0, max: 2 }), async (options, failures) => {
        const seen: { request: Request; init: RequestInit | undefined }[] = [];
        const fetch = (request: Request, extra?: RequestInit) => {
          seen.push({ request, init: extra });
          return Promise.resolve(seen.length <= failures ? json({}, 503) : json({ ok: true }));
        };
        const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, retry: { maxAttempts: 3, baseDelayMs: 0 }, env: {} });
        await client.GET("/identity/v1/users", options as never);
        expect(seen).toHaveLength(failures + 1);
        for (const { request, init: extra } of seen) {
          if (options.cache !== undefined) expect(request.cache).toBe(options.cache);
          if (options.keepalive !== undefined) expect(request.keepalive).toBe(options.keepalive);
          if (options.redirect !== undefined) expect(request.redirect).toBe(options.redirect);
          if (options.referrerPolicy !== undefined) expect(request.referrerPolicy).toBe(options.referrerPolicy);
          if (options.dispatcher !== undefined) expect((extra as { dispatcher?: unknown } | undefined)?.dispatcher).toBe(options.dispatcher);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("follows a 307 or 308 with the body intact", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(307, 308), fc.jsonValue(), async (code, body) => {
        const client = createServiceClient<FixturePaths>(globalService, { token: "t", baseUrl: server.url, retry: false, env: {} });
        const post = client.POST as unknown as (p: string, i: unknown) => Promise<{ data?: { target: string; body: string }; error?: unknown }>;
        const { data, error } = await post(`/redirect/${code}`, { body: { payload: body } });
        expect(error).toBeUndefined();
        expect(data?.target).toBe("/identity/v1/users?landed=1");
        expect(JSON.parse(data!.body)).toEqual(JSON.parse(JSON.stringify({ payload: body })));
      }),
      { numRuns: 20 },
    );
  });
});

describe("failures", () => {
  it("names the host and the system's code when nothing answers", async () => {
    const closed = await startLoopback(() => {});
    await closed.close();
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", baseUrl: closed.url, retry: false, env: {} });
    const error = await client.GET("/identity/v1/users").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GreenLakeConnectionError);
    expect((error as Error).message).toContain(new URL(closed.url).host);
    expect((error as Error).message).toContain("ECONNREFUSED");
  });
});

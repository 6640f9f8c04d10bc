/**
 * An issuer that is overloaded or down often answers with an HTML error page, plain text or
 * nothing at all instead of JSON. Such an answer is still a 429 or 5xx: tried again as docs/runtime.md
 * promises (up to 3 token requests, honouring Retry-After), and reported by its status. A rejection
 * (4xx) in any body is not tried again, and a 200 that is not JSON is refused at once.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeAuthError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, WORKSPACE, type FixturePaths } from "../unit/support/fixtures.js";
import { startIssuerBesideApi, type Loopback } from "../unit/support/loopback.js";

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
  retryAfter: string | undefined;
}

let server: Loopback;
let answer: Answer = { status: 503, contentType: undefined, body: "", retryAfter: undefined };

beforeAll(async () => {
  server = await startIssuerBesideApi((_req, res) => {
    const headers: Record<string, string> = {};
    if (answer.contentType !== undefined) headers["content-type"] = answer.contentType;
    if (answer.retryAfter !== undefined) headers["retry-after"] = answer.retryAfter;
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  });
});
afterAll(() => server.close());

const SECRET = "issuer-error-pages-secret-value";
let clients = 0;

async function tokenRequestsFor(a: Answer): Promise<{ requests: number; error: unknown }> {
  answer = a;
  const before = server.received.filter((r) => r.target.includes("/token")).length;
  const client = createServiceClient<FixturePaths>(globalService, {
    clientId: `error-pages-${clients++}`,
    clientSecret: SECRET,
    workspaceId: WORKSPACE,
    tokenUrl: `${server.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
    baseUrl: server.url,
    // Waits of at most 1 ms: the verdict counts requests, never time.
    retry: { baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    env: {},
  });
  const error = await client.GET("/identity/v1/users").then(
    () => undefined,
    (e: unknown) => e,
  );
  return { requests: server.received.filter((r) => r.target.includes("/token")).length - before, error };
}

const notJson = fc.record({
  contentType: fc.constantFrom(undefined, "text/html", "text/plain; charset=utf-8", "application/xml", "application/octet-stream"),
  body: fc.oneof(
    fc.constant(""),
    fc.constant("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"),
    fc.string({ maxLength: 200 }),
    fc.constant("{not json"),
  ),
});
const retryAfter = fc.constantFrom(undefined, "0", "1", "-5", "99999999999", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", new Date(Date.now() + 3_600_000).toUTCString());

describe("issuer answers that are not JSON", () => {
  it("429 and 5xx with any non-JSON body are tried 3 times and reported by their status", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(429, 500, 502, 503, 504), notJson, retryAfter, async (status, page, ra) => {
        const { requests, error } = await tokenRequestsFor({ status, ...page, retryAfter: ra });
        expect(requests).toBe(3);
        expect(error).toBeInstanceOf(GreenLakeAuthError);
        expect((error as GreenLakeAuthError).status).toBe(status);
        expect((error as Error).message).toContain(`failed with ${status}`);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it("400, 401 and 403 with any non-JSON body are asked once and reported by their status", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(400, 401, 403), notJson, async (status, page) => {
        const { requests, error } = await tokenRequestsFor({ status, ...page, retryAfter: undefined });
        expect(requests).toBe(1);
        expect(error).toBeInstanceOf(GreenLakeAuthError);
        expect((error as GreenLakeAuthError).status).toBe(status);
      }),
      { numRuns: 20 },
    );
  }, 60_000);

  it("a 200 with an HTML page is refused at once as not JSON", async () => {
    const { requests, error } = await tokenRequestsFor({ status: 200, contentType: "text/html", body: "<html>login</html>", retryAfter: undefined });
    expect(requests).toBe(1);
    expect(error).toBeInstanceOf(GreenLakeAuthError);
    expect((error as Error).message).toMatch(/not JSON/);
  });

  it("a 503 with an empty body and Retry-After is tried again", async () => {
    const { requests, error } = await tokenRequestsFor({ status: 503, contentType: undefined, body: "", retryAfter: "1" });
    expect(requests).toBe(3);
    expect((error as GreenLakeAuthError).status).toBe(503);
  });
});

describe("a success that is not JSON", () => {
  it("is refused after one request, whatever its type or body", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ contentType: fc.constantFrom(undefined, "text/html", "application/json"), body: fc.constantFrom("<html>login</html>", "{not json", "{\"access_token\":") }),
        async (page) => {
          const { requests, error } = await tokenRequestsFor({ status: 200, ...page, retryAfter: undefined });
          expect(requests).toBe(1);
          expect(error).toBeInstanceOf(GreenLakeAuthError);
          expect((error as Error).message).toMatch(/not JSON/);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe("a JSON success that carries no token", () => {
  it("is refused after one request as an answer without access_token, whatever JSON it is", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(null, true, 0, -1, "", "abc", []),
          fc.jsonValue().filter((v) => v === null || typeof v !== "object" || Array.isArray(v)),
          fc.record({ access_token: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string()), fc.constant("")), expires_in: fc.jsonValue() }, { requiredKeys: [] }),
        ),
        async (json) => {
          const { requests, error } = await tokenRequestsFor({ status: 200, contentType: "application/json", body: JSON.stringify(json), retryAfter: undefined });
          expect(requests).toBe(1);
          expect(error).toBeInstanceOf(GreenLakeAuthError);
          // wreck's JSON parser refuses a "__proto__" key outright (fast-check's jsonValue draws it now and then).
          const protoKey = /"__proto__"/.test(JSON.stringify(json));
          expect((error as Error).message).toMatch(protoKey ? /forbidden prototype property/ : /returned no access_token/);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("what an issuer's answer puts in an error", () => {
  const controls = fc.string({ unit: fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }), fc.integer({ min: 0x20, max: 0x7e })).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 60 });
  it("carries no control character (no terminal escape, no line break), however the issuer words it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(200, 400, 401, 429, 503),
        controls,
        controls,
        async (status, code, text) => {
          const body = status === 200 ? `\u001b[2J${code}` : JSON.stringify({ error: code, error_description: text });
          const { error } = await tokenRequestsFor({ status, contentType: "application/json", body, retryAfter: undefined });
          expect(error).toBeInstanceOf(GreenLakeAuthError);
          expect((error as Error).message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        },
      ),
      { numRuns: 40 },
    );
  });
});

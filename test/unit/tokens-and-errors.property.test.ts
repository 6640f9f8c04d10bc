/**
 * Tokens and errors at the SDK's trust boundaries: what an issuer, a token
 * provider, a server's error body, a proxy setting, a shared signal or an
 * oversized answer can do to a call, as properties over hostile inputs.
 */
import { getEventListeners } from "node:events";
import { inspect } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorFromResponse, GreenLakeAuthError, GreenLakeError, GreenLakeResponseTooLargeError } from "../../src/errors.js";
import { requestClientCredentialsToken, tokenLifetimeSeconds } from "../../src/internal/auth.js";
import { forgetSecrets, redact, registerSecret } from "../../src/internal/redaction.js";
import { RetryPolicy } from "../../src/internal/retry.js";
import { silentLog } from "../../src/logging.js";
import { resolveSettings } from "../../src/options.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, WORKSPACE, type FixturePaths } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

// Real loopback calls: generous limits so a loaded machine slows these tests down without failing them.
const NETWORK_TEST_MS = 120_000;

/** Everything an error shows: message, every field at any depth, its inspection and its JSON. */
function everythingShown(error: unknown): string {
  return [String(error), inspect(error, { depth: Number.POSITIVE_INFINITY }), JSON.stringify(error, (_k, v) => (v instanceof Error ? { ...v, message: v.message } : v))].join("\n");
}

/** A token-shaped secret long enough to be hidden (letters and digits). */
const secretArb = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/).map((s) => `sek${s}`);

// Characters no token can carry: C0 controls, DEL, C1 controls, and anything past ASCII.
const badCharArb = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }),
  fc.constant(0x7f),
  fc.integer({ min: 0x80, max: 0x9f }),
  fc.integer({ min: 0xa0, max: 0xffff }).filter((c) => c < 0xd800 || c > 0xdfff),
).map((c) => String.fromCharCode(c));

let server: Loopback;
let answer: (url: string) => { status: number; headers?: Record<string, string>; body: string | Buffer } = () => ({ status: 200, body: "{}" });

beforeAll(async () => {
  server = await startLoopback((req, res) => {
    const a = answer(req.url ?? "");
    res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
    res.end(a.body);
  });
});
afterAll(() => server.close());

const tokenUrl = () => `${server.url}/authorization/v2/oauth2/${WORKSPACE}/token`;

describe("tokens", () => {
  it("an issued token with a control or non-ASCII character is a GreenLakeAuthError that does not show it (property)", async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, badCharArb, fc.nat(), async (token, bad, at) => {
        const planted = token.slice(0, at % token.length) + bad + token.slice(at % token.length);
        answer = (url) => (url.includes("/token") ? { status: 200, body: JSON.stringify({ access_token: planted, expires_in: 900 }) } : { status: 200, body: "{}" });
        const client = createServiceClient<FixturePaths>(globalService, { clientId: "cid-bad-token", clientSecret: "secret-bad-token", tokenUrl: tokenUrl(), baseUrl: server.url, retry: false, env: {} });
        const error = await client.GET("/identity/v1/users").then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(GreenLakeAuthError);
        const shown = everythingShown(error);
        expect(shown).not.toContain(token.slice(0, 8));
        expect(shown).not.toContain(planted);
      }),
      { numRuns: 40 },
    );
  }, NETWORK_TEST_MS);

  it("a provider's token with a control or non-ASCII character is a GreenLakeAuthError that does not show it (property)", async () => {
    answer = () => ({ status: 200, body: "{}" });
    await fc.assert(
      fc.asyncProperty(secretArb, badCharArb, async (token, bad) => {
        const planted = `${token}${bad}`;
        const client = createServiceClient<FixturePaths>(globalService, { token: () => planted, baseUrl: server.url, retry: false, env: {} });
        const error = await client.GET("/identity/v1/users").then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(GreenLakeAuthError);
        expect(everythingShown(error)).not.toContain(token);
      }),
      { numRuns: 40 },
    );
  }, NETWORK_TEST_MS);

  it("any stated lifetime (0, negative, 1e15, not a number) becomes one between a second and a day, a valid date for any cache (property)", async () => {
    const stated = fc.oneof(
      fc.constantFrom(0, -1, 1e15, Number.MAX_VALUE, "1e15", "soon", null, true, "", "  ", [], {}),
      fc.double(),
      fc.integer(),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(stated, async (expiresIn) => {
        answer = (url) => (url.includes("/token") ? { status: 200, body: JSON.stringify({ access_token: "tok-lifetime-check", expires_in: expiresIn }) } : { status: 200, body: "{}" });
        const issued = await requestClientCredentialsToken(
          { clientId: "cid-lifetime", clientSecret: "secret-lifetime", tokenUrl: tokenUrl() },
          { timeoutMs: 5000, retry: new RetryPolicy(false), log: silentLog },
        );
        expect(issued.expiresIn).toBeGreaterThan(0);
        expect(issued.expiresIn).toBeLessThanOrEqual(86_400);
        expect(issued.expiresIn).toBe(tokenLifetimeSeconds(expiresIn));
        expect(() => new Date(Date.now() + issued.expiresIn * 1000).toISOString()).not.toThrow();
      }),
      { numRuns: 60 },
    );
  }, NETWORK_TEST_MS);

  it("names the absurd lifetimes of the example: 0, negative and non-numbers take the default, 1e15 a day", () => {
    expect(tokenLifetimeSeconds(0)).toBe(900);
    expect(tokenLifetimeSeconds(-5)).toBe(900);
    expect(tokenLifetimeSeconds("soon")).toBe(900);
    expect(tokenLifetimeSeconds(1e15)).toBe(86_400);
    expect(tokenLifetimeSeconds("3600")).toBe(3600);
  });
});

/** A JSON value with `leaf` planted `depth` levels down, in objects or arrays. */
function nested(leaf: unknown, path: readonly (string | number)[]): unknown {
  let value = leaf;
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i]!;
    value = typeof key === "number" ? [value] : { [key]: value };
  }
  return value;
}

describe("errors", () => {
  it("redact a credential wherever a server's error body puts it: any field, any depth, debugId included (property)", () => {
    const pathArb = fc.array(fc.oneof(fc.constantFrom("detail", "inner", "reason", "debugId"), fc.nat(3)), { maxLength: 60 });
    const fieldArb = fc.constantFrom("debugId", "errorCode", "message", "errorDetails");
    fc.assert(
      fc.property(secretArb, fieldArb, pathArb, fc.string({ maxLength: 10 }), (secret, field, path, around) => {
        registerSecret(secret);
        const planted = `${around}${secret}${around}`;
        const body: Record<string, unknown> = { httpStatusCode: 400, errorCode: "HPE_GL_ERROR_BAD_REQUEST", message: "bad", debugId: "d-1" };
        body[field] = field === "errorDetails" ? [nested(planted, path)] : planted;
        const error = errorFromResponse("GET", "https://example.test/x", new Response(null, { status: 400 }), body);
        const shown = everythingShown(error);
        expect(shown).not.toContain(secret);
        expect(error.debugId ?? "").not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });

  it("example: a token 30 levels deep in errorDetails, and one in debugId", () => {
    const secret = "sekDeepTokenValue0123456789";
    registerSecret(secret);
    const body = { errorCode: "E", debugId: secret, errorDetails: [nested(secret, Array.from({ length: 30 }, () => "inner"))] };
    const error = errorFromResponse("GET", "/x", new Response(null, { status: 400 }), body);
    expect(everythingShown(error)).not.toContain(secret);
  });
});

describe("the proxy setting", () => {
  const hostArb = fc.domain();
  const portArb = fc.integer({ min: 1, max: 65535 });

  it("a credential-free proxy hides nothing: any text reads the same after redaction (property)", () => {
    const textArb = fc.oneof(
      fc.constantFrom("See https://developer.hpe.com/greenlake for the API reference.", "http://proxy.example.com:3128/ answered 502"),
      fc.string({ maxLength: 80 }),
    );
    fc.assert(
      fc.property(fc.constantFrom("http", "https"), hostArb, portArb, textArb, fc.boolean(), (scheme, host, port, text, mention) => {
        const proxy = `${scheme}://${host}:${port}`;
        // Only what this proxy registers: the file's other properties register random credentials (fast-check's
        // strings include "prototype"), which redaction rightly hides wherever they appear.
        forgetSecrets();
        resolveSettings({ token: "t", proxy, env: {} });
        const message = mention ? `${text} via ${proxy}/ and https://developer.hpe.com` : text;
        expect(redact(message)).toBe(message);
      }),
      { numRuns: 200 },
    );
  });

  it("a proxy's user name and password never show, wherever the URL is quoted (property)", () => {
    const credArb = fc.stringMatching(/^[A-Za-z0-9]{8,20}$/);
    fc.assert(
      fc.property(hostArb, portArb, credArb, credArb, (host, port, user, password) => {
        const proxy = `http://${user}:${password}@${host}:${port}`;
        resolveSettings({ token: "t", proxy, env: {} });
        const shown = redact(`connect ECONNREFUSED through ${proxy}/ and ${password}`);
        expect(shown).not.toContain(password);
        expect(shown).not.toContain(`${user}:`);
      }),
      { numRuns: 100 },
    );
  });
});

describe("a signal shared by many calls", () => {
  it("carries no listener once every call settled, and at most one while calls are in flight, however the calls end (property)", async () => {
    const outcomeArb = fc.constantFrom("ok", "500", "429", "bad-json", "refused");
    await fc.assert(
      fc.asyncProperty(fc.array(outcomeArb, { minLength: 1, maxLength: 24 }), fc.boolean(), async (outcomes, withFetch) => {
        const signal = new AbortController().signal;
        let mostWhileInFlight = 0;
        answer = (url) => {
          mostWhileInFlight = Math.max(mostWhileInFlight, getEventListeners(signal, "abort").length);
          const kind = new URL(url, "http://x").searchParams.get("kind");
          if (kind === "500") return { status: 500, body: '{"message":"boom"}' };
          if (kind === "429") return { status: 429, headers: { "retry-after": "0" }, body: "{}" };
          if (kind === "bad-json") return { status: 200, body: "{" };
          return { status: 200, body: "{}" };
        };
        const base = createServiceClient<any>(globalService, {
          token: "tok-shared-signal",
          baseUrl: server.url,
          retry: { maxAttempts: 2, baseDelayMs: 0 },
          env: {},
          ...(withFetch ? { fetch: (r: Request) => fetch(r) } : {}),
        });
        const refused = createServiceClient<any>(globalService, { token: "tok-shared-signal", baseUrl: "http://127.0.0.1:9", retry: false, env: {} });
        await Promise.allSettled(
          outcomes.map((kind) =>
            (kind === "refused" ? refused : base).GET("/identity/v1/users", { params: { query: { kind } }, signal } as never),
          ),
        );
        expect(getEventListeners(signal, "abort")).toHaveLength(0);
        // However many calls are in flight, the SDK follows the signal with one listener (no leak warning).
        expect(mostWhileInFlight).toBeLessThanOrEqual(1);
      }),
      { numRuns: 25 },
    );
  }, NETWORK_TEST_MS);
});

describe("response size", () => {
  it("a body past maxResponseBytes is a typed error, read no further and not retried; one within it is returned whole (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 0, max: 8192 }),
        fc.constantFrom(200, 500, 503),
        fc.boolean(),
        fc.boolean(),
        async (limit, size, status, declareLength, withFetch) => {
          const body = `"${"x".repeat(size)}"`;
          let requests = 0;
          answer = () => {
            requests++;
            const headers: Record<string, string> = declareLength ? {} : { "transfer-encoding": "chunked" };
            return { status, headers, body };
          };
          const client = createServiceClient<any>(globalService, {
            token: "tok-size",
            baseUrl: server.url,
            maxResponseBytes: limit,
            retry: { maxAttempts: 3, baseDelayMs: 0 },
            env: {},
            ...(withFetch ? { fetch: (r: Request) => fetch(r) } : {}),
          });
          const outcome = await client.GET("/identity/v1/users", {}).then(
            (r: { response: Response }) => r,
            (e: unknown) => e,
          );
          if (Buffer.byteLength(body) > limit) {
            expect(outcome).toBeInstanceOf(GreenLakeResponseTooLargeError);
            expect(outcome).toBeInstanceOf(GreenLakeError);
            expect(requests).toBe(1);
          } else {
            expect(outcome).not.toBeInstanceOf(Error);
            expect((outcome as { response: Response }).response.status).toBe(status);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, NETWORK_TEST_MS);

  it("example: four 100 MB-class error bodies cost one refused read, at the default limit too", async () => {
    let requests = 0;
    answer = () => {
      requests++;
      return { status: 500, headers: { "content-length": String(2048) }, body: Buffer.alloc(2048, 0x20) };
    };
    const client = createServiceClient<any>(globalService, { token: "tok-size", baseUrl: server.url, maxResponseBytes: 1024, retry: { maxAttempts: 4, baseDelayMs: 0 }, env: {} });
    await expect(client.GET("/identity/v1/users", {})).rejects.toBeInstanceOf(GreenLakeResponseTooLargeError);
    expect(requests).toBe(1);
    expect(resolveSettings({ token: "t", env: {} }).maxResponseBytes).toBe(64 * 1024 * 1024);
  }, NETWORK_TEST_MS);
});

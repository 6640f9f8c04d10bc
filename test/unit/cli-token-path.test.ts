/**
 * glp's tokens come from the SDK's own token path: GREENLAKE_PROXY carries
 * them as it carries API calls, and any lifetime an issuer states (0,
 * negative, 1e15, not a number) is read by the SDK's rules, so whoami never
 * fails on it (property-based).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tokenLifetimeSeconds } from "../../src/internal/for-tools.js";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { memoryIo } from "./support/cli-io.js";

const WORKSPACE = "0123456789abcdef0123456789abcdef";
const dirs: string[] = [];
let issuer: Server;
let proxy: Server;
let issuerUrl: string;
let proxyUrl: string;
const counts = { issuerDirect: 0, viaProxy: 0 };
let expiresIn: unknown = 900;

function tokenAnswer(): string {
  return JSON.stringify({ access_token: `path-token-${Math.random().toString(36).slice(2)}`, token_type: "Bearer", expires_in: expiresIn });
}

beforeAll(async () => {
  issuer = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.method === "POST" && (req.url ?? "").endsWith("/token")) counts.issuerDirect++;
    res.end(req.method === "POST" ? tokenAnswer() : JSON.stringify({ items: [], count: 0, offset: 0, total: 0 }));
  });
  // A forward proxy that answers for the hosts behind it: it sees absolute request targets.
  proxy = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.method === "POST" && /^http:\/\/[^/]+\/.*\/token$/.test(req.url ?? "")) counts.viaProxy++;
    res.end(req.method === "POST" ? tokenAnswer() : JSON.stringify({ items: [], count: 0, offset: 0, total: 0 }));
  });
  // API calls (undici) tunnel with CONNECT.
  proxy.on("connect", (req, socket, head) => {
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await Promise.all([issuer, proxy].map((s) => new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))));
  issuerUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of [issuer, proxy]) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), "glp-token-path-"));
  dirs.push(home);
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    GREENLAKE_CLIENT_ID: "path-client",
    GREENLAKE_CLIENT_SECRET: "path-secret-value",
    GREENLAKE_WORKSPACE_ID: WORKSPACE,
    GREENLAKE_TOKEN_URL: `${issuerUrl}/authorization/v2/oauth2/${WORKSPACE}/token`,
    GREENLAKE_BASE_URL: issuerUrl,
    ...extra,
  };
}

async function glp(args: string[], e: Record<string, string>) {
  const io = memoryIo({ env: e });
  const code = await run(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** The SDK's rule (auth.ts): a positive finite lifetime, at most a day; anything else counts as 900 s. */
/** The SDK's own rule: glp must read a stated lifetime exactly as the SDK does. */
const sdkLifetime = tokenLifetimeSeconds;

describe("glp's token path", () => {
  it("token requests go through GREENLAKE_PROXY, as API calls do", async () => {
    Object.assign(counts, { issuerDirect: 0, viaProxy: 0 });
    expiresIn = 900;
    const result = await glp(["identity", "get-users"], env({ GREENLAKE_PROXY: proxyUrl }));
    expect(result.code, result.err).toBe(0);
    expect(counts).toEqual({ issuerDirect: 0, viaProxy: 1 });
  });

  it("whoami reads any stated lifetime by the SDK's rules and never fails on it (property-based)", async () => {
    const stated = fc.oneof(
      fc.constantFrom<unknown>(0, -1, -900, 1e15, 1e300, "abc", "NaN", "Infinity", null, "", true, [], {}),
      fc.integer({ min: -1e9, max: 1e9 }).filter((n) => n <= 0 || n >= 120),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => n <= 0 || n >= 120),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(stated, async (value) => {
        expiresIn = value;
        const result = await glp(["whoami", "-o", "json"], env());
        expect(result.code, result.err).toBe(0);
        const info = JSON.parse(result.out) as { tokenExpires: string; tokenExpiresInSeconds: number };
        expect(new Date(info.tokenExpires).toISOString()).toBe(info.tokenExpires);
        // Within a few seconds of the SDK's lifetime (the command's own run time aside).
        expect(Math.abs(info.tokenExpiresInSeconds - sdkLifetime(value))).toBeLessThanOrEqual(30);
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it("whoami after expires_in 1e15 prints a day, not 'Invalid time value'", async () => {
    expiresIn = 1e15;
    const result = await glp(["whoami", "-o", "json"], env());
    expect(result.err).toBe("");
    expect((JSON.parse(result.out) as { tokenExpiresInSeconds: number }).tokenExpiresInSeconds).toBeLessThanOrEqual(86_400);
  });
});

/**
 * glp's token lock between real processes, against a local issuer that
 * counts token requests and answers as slowly as each test says. Verdicts
 * are counts (token requests, lock files left, waits and takeovers glp
 * reports with --verbose), never durations.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type ServerResponse, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGlp } from "./support/glp-process.js";

const WORKSPACE = "0123456789abcdef0123456789abcdef";
let server: Server;
let baseUrl: string;
let main: string;
const dirs: string[] = [];
/** Token requests received, and how the next ones are answered. */
const issuer = { requests: 0, holdMs: 0, hold: false, held: [] as ServerResponse[], arrived: [] as (() => void)[] };

function answer(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ access_token: `lock-token-${issuer.requests}`, token_type: "Bearer", expires_in: 900 }));
}

beforeAll(async () => {
  main = await buildGlp();
  server = createServer((req, res) => {
    if (req.method === "POST" && (req.url ?? "").endsWith("/token")) {
      issuer.requests++;
      for (const notify of issuer.arrived.splice(0)) notify();
      if (issuer.hold) issuer.held.push(res);
      else setTimeout(() => answer(res), issuer.holdMs);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ items: [], count: 0, offset: 0, total: 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 180_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshHome(): { env: NodeJS.ProcessEnv; tokens: string } {
  const home = mkdtempSync(join(tmpdir(), "glp-lock-"));
  dirs.push(home);
  return {
    tokens: join(home, "cache", "glp", "tokens"),
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_CACHE_HOME: join(home, "cache"),
      GREENLAKE_CLIENT_ID: "lock-client",
      GREENLAKE_CLIENT_SECRET: "lock-secret-value",
      GREENLAKE_WORKSPACE_ID: WORKSPACE,
      GREENLAKE_TOKEN_URL: `${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token`,
      GREENLAKE_BASE_URL: baseUrl,
    },
  };
}

interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; stderr: string }>;
}

function start(env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [main, "identity", "get-users", "--verbose", "-o", "json"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return { child, done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr }))) };
}

/** Resolves once the issuer has received `n` token requests in all. */
function requestsReach(n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (issuer.requests >= n ? resolve() : issuer.arrived.push(check));
    check();
  });
}

const locksIn = (tokens: string) => readdirSync(tokens).filter((f) => f.includes(".lock"));
const lines = (stderr: string, pattern: RegExp) => stderr.split("\n").filter((l) => pattern.test(l)).length;

describe("glp's token lock between processes", () => {
  it("however slow the issuer, concurrent commands make one token request (the others wait while its owner runs)", async () => {
    Object.assign(issuer, { requests: 0, hold: false, holdMs: 21_000 });
    const { env } = freshHome();
    const runs = Array.from({ length: 3 }, () => start(env));
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(issuer.requests).toBe(1);
  }, 120_000);

  it("a lock left by a killed glp is taken over at once, without waiting", async () => {
    Object.assign(issuer, { requests: 0, hold: true, holdMs: 0, held: [] });
    const { env, tokens } = freshHome();
    const first = start(env);
    await requestsReach(1);
    first.child.kill("SIGKILL");
    await first.done;
    expect(locksIn(tokens)).toHaveLength(1);
    issuer.hold = false;
    const second = await start(env).done;
    expect(second.code, second.stderr).toBe(0);
    expect(lines(second.stderr, /^glp: taking over the token lock of process \d+, which is gone$/)).toBe(1);
    expect(lines(second.stderr, /^glp: waiting for/)).toBe(0);
    expect(issuer.requests).toBe(2);
    expect(locksIn(tokens)).toEqual([]);
  }, 120_000);

  it("Ctrl-C during a token request releases the lock", async () => {
    Object.assign(issuer, { requests: 0, hold: true, holdMs: 0, held: [] });
    const { env, tokens } = freshHome();
    const first = start(env);
    await requestsReach(1);
    first.child.kill("SIGINT");
    expect((await first.done).code).toBe(130);
    expect(locksIn(tokens)).toEqual([]);
    issuer.hold = false;
    const second = await start(env).done;
    expect(second.code, second.stderr).toBe(0);
    expect(lines(second.stderr, /^glp: (waiting for|taking over)/)).toBe(0);
    expect(issuer.requests).toBe(2);
  }, 120_000);
});

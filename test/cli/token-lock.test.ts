/**
 * glp's token lock between real processes, against a local issuer that
 * counts token requests and holds its answers until each test lets them go.
 * Verdicts are counts and orders (token requests, lock files left, waits and
 * takeovers glp reports with --verbose), never durations. That a live owner is
 * waited for however long it takes is shown on the lock's own clock
 * (test/unit/cli-file-lock.test.ts); here the issuer answers only once every
 * other command has said it waits for the owner.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGlp } from "./support/glp-process.js";

const WORKSPACE = "0123456789abcdef0123456789abcdef";
let main: string;
const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];

interface Issuer {
  readonly baseUrl: string;
  /** Token requests received. */
  requests(): number;
  /** Resolves once `n` token requests have arrived in all. */
  requestsReach(n: number): Promise<void>;
  /** Answers the held requests, and every later one at once. */
  release(): void;
}

/** One issuer (and API) per test, so the tests run side by side; token requests are held until `release()`. */
async function startIssuer(): Promise<Issuer> {
  let requests = 0;
  let holding = true;
  const held: ServerResponse[] = [];
  const arrived: (() => void)[] = [];
  const answer = (res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ access_token: `lock-token-${requests}`, token_type: "Bearer", expires_in: 900 }));
  };
  const server = createServer((req, res) => {
    if (req.method === "POST" && (req.url ?? "").endsWith("/token")) {
      requests++;
      for (const notify of arrived.splice(0)) notify();
      if (holding) held.push(res);
      else answer(res);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ items: [], count: 0, offset: 0, total: 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    requestsReach: (n) =>
      new Promise((resolve) => {
        const check = () => (requests >= n ? resolve() : arrived.push(check));
        check();
      }),
    release() {
      holding = false;
      for (const res of held.splice(0)) answer(res);
    },
  };
}

beforeAll(async () => {
  main = await buildGlp();
}, 180_000);

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshHome(issuer: Issuer): { env: NodeJS.ProcessEnv; tokens: string } {
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
      GREENLAKE_TOKEN_URL: `${issuer.baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token`,
      GREENLAKE_BASE_URL: issuer.baseUrl,
    },
  };
}

interface Running {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  /** Resolves once the command's stderr matches `pattern` (or it has ended without). */
  readonly shows: (pattern: RegExp) => Promise<boolean>;
  readonly done: Promise<{ code: number | null; stderr: string }>;
}

function start(env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [main, "identity", "get-users", "--verbose", "-o", "json"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const watchers: (() => void)[] = [];
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    for (const watch of watchers.splice(0)) watch();
  });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stderr })));
  let ended = false;
  void done.then(() => {
    ended = true;
    for (const watch of watchers.splice(0)) watch();
  });
  const shows = (pattern: RegExp) =>
    new Promise<boolean>((resolve) => {
      const check = () => (pattern.test(stderr) ? resolve(true) : ended ? resolve(false) : watchers.push(check));
      check();
    });
  return { child, stderr: () => stderr, shows, done };
}

const locksIn = (tokens: string) => readdirSync(tokens).filter((f) => f.includes(".lock"));
const lines = (stderr: string, pattern: RegExp) => stderr.split("\n").filter((l) => pattern.test(l)).length;
const WAITING = /^glp: waiting for the token request of process (\d+)$/m;

describe.concurrent("glp's token lock between processes", () => {
  it("however slow the issuer, concurrent commands make one token request (the others wait while its owner runs)", async () => {
    const issuer = await startIssuer();
    const { env, tokens } = freshHome(issuer);
    const runs = Array.from({ length: 3 }, () => start(env));
    await issuer.requestsReach(1);
    // The owner's request is unanswered until both other commands have said they wait for it.
    const waiters = await new Promise<Running[]>((resolve) => {
      const seen: Running[] = [];
      let settled = 0;
      for (const r of runs) {
        void r.shows(WAITING).then((shown) => {
          if (shown) seen.push(r);
          if (seen.length === 2 || ++settled === runs.length) resolve(seen);
        });
      }
    });
    expect(waiters, runs.map((r) => r.stderr()).join("\n")).toHaveLength(2);
    const owner = runs.find((r) => !waiters.includes(r))!;
    expect(owner.child.exitCode).toBe(null);
    for (const r of runs.filter((r) => r !== owner)) expect(Number(WAITING.exec(r.stderr())![1])).toBe(owner.child.pid);
    issuer.release();
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results.map((r) => r.code), results.map((r) => r.stderr).join("\n")).toEqual([0, 0, 0]);
    expect(issuer.requests()).toBe(1);
    expect(results.map((r) => lines(r.stderr, /^glp: token request to /))).toEqual(runs.map((r) => (r === owner ? 1 : 0)));
    expect(results.map((r) => lines(r.stderr, /^glp: taking over/))).toEqual([0, 0, 0]);
    expect(locksIn(tokens)).toEqual([]);
  });

  it("a lock left by a killed glp is taken over at once, without waiting", async () => {
    const issuer = await startIssuer();
    const { env, tokens } = freshHome(issuer);
    const first = start(env);
    await issuer.requestsReach(1);
    first.child.kill("SIGKILL");
    await first.done;
    expect(locksIn(tokens)).toHaveLength(1);
    issuer.release();
    const second = await start(env).done;
    expect(second.code, second.stderr).toBe(0);
    expect(lines(second.stderr, /^glp: taking over the token lock of process \d+, which is gone$/)).toBe(1);
    expect(lines(second.stderr, /^glp: waiting for/)).toBe(0);
    expect(issuer.requests()).toBe(2);
    expect(locksIn(tokens)).toEqual([]);
  });

  it("Ctrl-C during a token request releases the lock", async () => {
    const issuer = await startIssuer();
    const { env, tokens } = freshHome(issuer);
    const first = start(env);
    await issuer.requestsReach(1);
    first.child.kill("SIGINT");
    expect((await first.done).code).toBe(130);
    expect(locksIn(tokens)).toEqual([]);
    issuer.release();
    const second = await start(env).done;
    expect(second.code, second.stderr).toBe(0);
    expect(lines(second.stderr, /^glp: (waiting for|taking over)/)).toBe(0);
    expect(issuer.requests()).toBe(2);
  });
});

/**
 * glp in a real pseudo-terminal (tmux): the table fits the window, a long
 * `--all` listing draws a progress line on stderr while it streams, and
 * Ctrl-C stops it with exit code 130. The API is a loopback stub that pages
 * slowly; nothing leaves 127.0.0.1.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGlp } from "./support/glp-process.js";

const WORKSPACE = "0123456789abcdef0123456789abcdef";
const socket = `glp-test-${process.pid}`;
const run = promisify(execFile);
let main: string;
let home: string;
const servers: Server[] = [];
/** What a stub's listing serves; each test sets its own. */
interface Listing {
  total: number;
  delayMs: number;
  pagesServed: number;
  open: number;
  held?: Promise<void>;
}

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
}

/** Starts `args` in a new tmux window of the given size; the shell prints EXIT=<code> when glp ends. */
function start(name: string, baseUrl: string, args: string[], size: { width: number; height: number }, redirect = ""): void {
  const env = [
    `HOME=${home}`,
    `XDG_CONFIG_HOME=${join(home, "config")}`,
    `XDG_CACHE_HOME=${join(home, "cache")}`,
    "GREENLAKE_CLIENT_ID=terminal-client",
    "GREENLAKE_CLIENT_SECRET=terminal-secret-value",
    `GREENLAKE_WORKSPACE_ID=${WORKSPACE}`,
    `GREENLAKE_TOKEN_URL=${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token`,
    `GREENLAKE_BASE_URL=${baseUrl}`,
  ];
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const command = `env ${env.join(" ")} '${process.execPath}' '${main}' ${quoted} ${redirect}; echo EXIT=$?; sleep 60`;
  tmux("new-session", "-d", "-s", name, "-x", String(size.width), "-y", String(size.height), command);
}

/** What the window shows; asynchronous, so the stubs of the other tests keep answering meanwhile. */
async function screen(name: string): Promise<string> {
  return (await run("tmux", ["-L", socket, "capture-pane", "-p", "-t", name], { encoding: "utf8" })).stdout;
}

async function waitFor(name: string, test: (text: string) => boolean, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await screen(name);
    if (test(text)) return text;
    if (Date.now() > deadline) throw new Error(`tmux window ${name} never showed what the test waits for; it shows:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  main = await buildGlp();
  home = mkdtempSync(join(tmpdir(), "glp-terminal-"));
});

/** A loopback API serving `listing`, one per test so the tests run side by side; returns its base URL. */
async function serve(listing: Listing): Promise<string> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST" && url.pathname.endsWith("/token")) return send(200, { access_token: "terminal-token-value", token_type: "Bearer", expires_in: 900 });
    if (req.method === "GET" && url.pathname === "/identity/v1/users") {
      // Offset counts pages for this operation (its generated pagination metadata says so).
      const limit = Number(url.searchParams.get("limit") ?? 10);
      const page = Number(url.searchParams.get("offset") ?? 0);
      const first = page * limit;
      const items = Array.from({ length: Math.max(0, Math.min(limit, listing.total - first)) }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(first + i).padStart(12, "0")}`,
        username: `user${first + i}@example.com`,
        userStatus: (first + i) % 3 === 0 ? "UNVERIFIED" : "VERIFIED",
        createdAt: "2025-01-02T03:04:05.000Z",
        firstName: "A very long first name that needs to be cut to fit the window",
      }));
      listing.open++;
      let timer: NodeJS.Timeout | undefined;
      const answer = () => {
        if (res.destroyed) return;
        timer = setTimeout(() => {
          listing.pagesServed++;
          send(200, { items, count: items.length, offset: page, total: listing.total });
        }, listing.delayMs);
      };
      // While `held`, only the first page is answered: the test looks at the terminal mid-listing at its own pace.
      if (listing.held !== undefined && page > 0) void listing.held.then(answer);
      else answer();
      res.on("close", () => {
        listing.open--;
        clearTimeout(timer);
      });
      return;
    }
    send(404, { message: "not in the stub" });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(async () => {
  try {
    tmux("kill-server");
  } catch {
    // No session left.
  }
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  if (home) rmSync(home, { recursive: true, force: true });
});

// Each test has its own tmux window and its own stub, so they run side by side.
describe.concurrent("glp in a terminal", () => {
  it("prints a table that fits the window, columns aligned", async () => {
    const listing: Listing = { total: 5, delayMs: 0, pagesServed: 0, open: 0 };
    start("table", await serve(listing), ["identity", "get-users", "--limit", "5"], { width: 72, height: 20 });
    const text = await waitFor("table", (t) => t.includes("EXIT="));
    expect(text).toContain("EXIT=0");
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    const header = lines[0]!;
    expect(header).toMatch(/^ID\s+USERNAME\s+/);
    const rows = lines.slice(1, 6);
    expect(rows).toHaveLength(5);
    for (const line of [header, ...rows]) expect(line.length).toBeLessThanOrEqual(72);
    // Each column starts where its header does.
    const usernameAt = header.indexOf("USERNAME");
    for (const [i, row] of rows.entries()) expect(row.slice(usernameAt)).toMatch(new RegExp(`^user${i}@`));
    expect(rows[0]).toContain("…");
  });

  it("draws a progress line on stderr while --all streams to stdout, then clears it", async () => {
    let release = () => {};
    const listing: Listing = { total: 6000, delayMs: 250, pagesServed: 0, open: 0, held: new Promise<void>((resolve) => (release = resolve)) };
    const out = join(home, "users.jsonl");
    start("progress", await serve(listing), ["identity", "get-users", "--all", "--concurrency", "2", "-o", "jsonl"], { width: 100, height: 10 }, `> '${out}'`);
    const during = await waitFor("progress", (t) => /\d[\d,]* \/ 6,000 items, \d+ pages?, [\d,]+ items\/s/.test(t));
    expect(during).not.toContain("EXIT=");
    release();
    delete listing.held;
    const done = await waitFor("progress", (t) => t.includes("EXIT="));
    expect(done).toContain("EXIT=0");
    expect(done).not.toMatch(/items\/s/);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).toHaveLength(6000);
    expect((JSON.parse(lines[5999]!) as { username: string }).username).toBe("user5999@example.com");
  });

  it("keeps table rows off the progress line when both go to the terminal", async () => {
    const listing: Listing = { total: 12, delayMs: 150, pagesServed: 0, open: 0 };
    start("shared", await serve(listing), ["identity", "get-users", "--all", "--limit", "3", "--concurrency", "1", "--columns", "id,username"], { width: 90, height: 30 });
    const text = await waitFor("shared", (t) => t.includes("EXIT="));
    expect(text).toContain("EXIT=0");
    const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("EXIT="));
    expect(lines[0]).toMatch(/^ID\s+USERNAME$/);
    expect(lines.slice(1)).toHaveLength(12);
    for (const [i, line] of lines.slice(1).entries()) expect(line).toMatch(new RegExp(`^00000000-0000-4000-8000-0{10}\\d{2}\\s+user${i}@example\\.com$`));
  });

  it("stops cleanly on Ctrl-C with exit code 130", async () => {
    const listing: Listing = { total: 600_000, delayMs: 400, pagesServed: 0, open: 0 };
    start("interrupt", await serve(listing), ["identity", "get-users", "--all", "-o", "jsonl"], { width: 100, height: 10 }, "> /dev/null");
    await waitFor("interrupt", (t) => /items\/s/.test(t));
    tmux("send-keys", "-t", "interrupt", "C-c");
    const text = await waitFor("interrupt", (t) => t.includes("EXIT="));
    expect(text).toContain("glp: interrupted");
    expect(text).toContain("EXIT=130");
    expect(text).not.toMatch(/\n\s+at /);
    // Stopped, not finished: short of the listing's last page (600 items a page at most), and no request of glp's left open.
    expect(listing.pagesServed).toBeLessThan(600_000 / 600);
    for (let polls = 0; listing.open > 0 && polls < 600; polls++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listing.open).toBe(0);
  });
});

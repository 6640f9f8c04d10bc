/**
 * glp's run() in-process against a loopback stub: exit codes per failure,
 * --wait on a 202 + Location, --verbose without secrets, completion scripts,
 * and the token cache (property-based: any burst of concurrent commands makes
 * one token request; a hostile issuer echoing the secret never gets it printed).
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/run.js";
import { cachedToken } from "../../src/cli/token-cache.js";
import { memoryIo } from "./support/cli-io.js";

const WORKSPACE = "0123456789abcdef0123456789abcdef";
const SECRET = "cli-S3cret-value-never-printed";
type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

let server: Server;
let baseUrl: string;
let dirs: string[] = [];
const routes = new Map<string, Handler>();
const stats = { tokenRequests: 0, tokenDelayMs: 0 };
let issuedToken = "stub-token-0";
let tokenHandler: Handler | undefined;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  // The retry policy's backoff is "full jitter", uniform between 0 and its ceiling: draw 0 every time, so the
  // commands that meet a 500 or a closed port retry as the policy says without waiting out real seconds.
  vi.spyOn(Math, "random").mockReturnValue(0);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "POST" && url.pathname.endsWith("/token")) {
      stats.tokenRequests++;
      if (tokenHandler) return tokenHandler(req, res, url);
      issuedToken = `stub-token-${stats.tokenRequests}-${randomUUID()}`;
      setTimeout(() => json(res, 200, { access_token: issuedToken, token_type: "Bearer", expires_in: 900 }), stats.tokenDelayMs);
      return;
    }
    const handler = routes.get(`${req.method} ${url.pathname}`);
    if (handler) return handler(req, res, url);
    json(res, 404, { httpStatusCode: 404, errorCode: "HPE_GL_ERROR_NOT_FOUND", message: "No such route in the stub", debugId: "dbg-stub" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  vi.restoreAllMocks();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  routes.clear();
  tokenHandler = undefined;
  Object.assign(stats, { tokenRequests: 0, tokenDelayMs: 0 });
});

function freshEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), "glp-run-"));
  dirs.push(home);
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    GREENLAKE_CLIENT_ID: "cli-test-client",
    GREENLAKE_CLIENT_SECRET: SECRET,
    GREENLAKE_WORKSPACE_ID: WORKSPACE,
    GREENLAKE_TOKEN_URL: `${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token`,
    GREENLAKE_BASE_URL: baseUrl,
    ...overrides,
  };
}

async function glp(args: string[], env = freshEnv()) {
  const io = memoryIo({ env });
  const code = await run(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe("glp exit codes", () => {
  it("maps each kind of failure to its code with one readable line", async () => {
    routes.set("GET /identity/v1/users/u1", (_req, res) => json(res, 404, { httpStatusCode: 404, errorCode: "HPE_GL_ERROR_NOT_FOUND", message: "User not found", debugId: "dbg-404" }));
    routes.set("POST /identity/v1/users", (_req, res) => json(res, 429, { httpStatusCode: 429, errorCode: "HPE_GL_RATE_LIMITED", message: "Too many requests", debugId: "dbg-429" }, { "retry-after": "0" }));
    routes.set("PUT /identity/v1/users/u1", (_req, res) => json(res, 500, { httpStatusCode: 500, errorCode: "HPE_GL_INTERNAL", message: "Boom", debugId: "dbg-500" }));
    routes.set("DELETE /identity/v1/users/u1", (_req, res) => json(res, 400, { httpStatusCode: 400, errorCode: "HPE_GL_BAD", message: "Bad request", debugId: "dbg-400" }));

    const notFound = await glp(["identity", "get-user-detailed", "--id", "u1"]);
    expect(notFound.code).toBe(4);
    expect(notFound.err).toMatch(/^glp: GET \/identity\/v1\/users\/u1 failed with 404 HPE_GL_ERROR_NOT_FOUND: User not found \(debugId dbg-404\)\. Check .*\n$/);
    expect((await glp(["identity", "invite-user-to-account", "--set", "email=a@example.com"])).code).toBe(5);
    expect((await glp(["identity", "update-user-preferences", "--id", "u1", "--set", "language=en"])).code).toBe(6);
    expect((await glp(["identity", "disassociate-platform-user", "--id", "u1"])).code).toBe(1);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const network = await glp(["identity", "invite-user-to-account", "--set", "email=a@example.com"], freshEnv({ GREENLAKE_BASE_URL: `http://127.0.0.1:${port}` }));
    expect(network.code).toBe(7);
    expect(network.err.trim().split("\n")).toHaveLength(1);
  }, 300_000);

  it("a rejected token is an auth failure, and the cached token is dropped", async () => {
    routes.set("GET /identity/v1/users", (_req, res) => json(res, 401, { httpStatusCode: 401, errorCode: "HPE_GL_UNAUTHORIZED", message: "Token rejected", debugId: "dbg-401" }));
    const env = freshEnv();
    const result = await glp(["identity", "get-users"], env);
    expect(result.code).toBe(3);
    expect(result.err).toContain("401");
    routes.set("GET /identity/v1/users", (_req, res) => json(res, 200, { items: [], count: 0, offset: 0, total: 0 }));
    expect((await glp(["identity", "get-users"], env)).code).toBe(0);
    // The second command did not reuse the rejected token.
    expect(stats.tokenRequests).toBe(2);
  });
});

describe("glp --wait and --verbose", () => {
  it("follows a 202 + Location to the async operation's end", async () => {
    let polls = 0;
    routes.set("POST /devices/v1/devices", (_req, res) => json(res, 202, { message: "accepted" }, { location: "/devices/v1/async-operations/op-1" }));
    routes.set("GET /devices/v1/async-operations/op-1", (_req, res) => {
      polls++;
      json(res, 200, { id: "op-1", status: polls < 3 ? "RUNNING" : "SUCCEEDED", suggestedPollingIntervalSeconds: 0.01 });
    });
    const result = await glp(["device-management", "post-devices-v1", "--data", "{}", "--wait", "-o", "json"]);
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ id: "op-1", status: "SUCCEEDED" });
    expect(polls).toBe(3);
  });

  it("logs requests and responses without the token or the secret", async () => {
    routes.set("GET /identity/v1/users", (_req, res) => json(res, 200, { items: [{ id: "u1" }], count: 1, offset: 0, total: 1 }));
    const result = await glp(["identity", "get-users", "--limit", "1", "--verbose"]);
    expect(result.code, result.err).toBe(0);
    expect(result.err).toMatch(/^> GET .*\/identity\/v1\/users\?limit=1$/m);
    expect(result.err).toContain("authorization: Bearer [REDACTED]");
    expect(result.err).toMatch(/^< 200 GET \/identity\/v1\/users in \d+ ms$/m);
    expect(result.err + result.out).not.toContain(issuedToken);
    expect(result.err + result.out).not.toContain(SECRET);
  });
});

describe("glp completion", () => {
  it("generates bash and zsh scripts naming every service and operation", async () => {
    const bash = await glp(["completion", "bash"]);
    expect(bash.out).toContain("complete -F _glp glp");
    expect(bash.out).toMatch(/identity\) words="get-users invite-user-to-account /);
    const zsh = await glp(["completion", "zsh"]);
    expect(zsh.out).toContain("bashcompinit");
    const flags = await glp(["__flags", "identity", "get-users"]);
    expect(flags.out).toMatch(/^--filter --offset --limit /);
    // The script as bash runs it: services, then a service's operations.
    const complete = (words: string[]) =>
      execFileSync("bash", ["-c", `${bash.out}\nCOMP_WORDS=(${words.join(" ")}); COMP_CWORD=${words.length - 1}; _glp; echo "\${COMPREPLY[@]}"`], { encoding: "utf8" }).trim();
    expect(complete(["glp", "ident"])).toBe("identity");
    expect(complete(["glp", "identity", "get-user"]).split(" ")).toEqual(["get-users", "get-user-detailed"]);
  });
});

describe("glp token cache (property-based)", () => {
  it("any burst of concurrent commands makes one token request, kept in a 0600 file", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 40 }), fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 12, maxLength: 12 }), async (burst, issuerDelay, starts) => {
        stats.tokenRequests = 0;
        stats.tokenDelayMs = issuerDelay;
        const env = freshEnv();
        const credentials = { clientId: "burst-client", clientSecret: async () => SECRET, workspaceId: WORKSPACE, tokenUrl: env.GREENLAKE_TOKEN_URL };
        const tokens = await Promise.all(
          Array.from({ length: burst }, async (_, i) => {
            await new Promise((resolve) => setTimeout(resolve, starts[i]));
            return (await cachedToken(env, credentials)).accessToken;
          }),
        );
        expect(stats.tokenRequests).toBe(1);
        expect(new Set(tokens).size).toBe(1);
        const dir = join(env.XDG_CACHE_HOME!, "glp", "tokens");
        expect(statSync(dir).mode & 0o777).toBe(0o700);
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it("never prints the secret, even when the issuer echoes it back", async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9._~+/-]{8,40}$/), fc.constantFrom(400, 401, 403, 500), async (secret, status) => {
        tokenHandler = (req, res) => {
          let body = "";
          req.on("data", (c: Buffer) => (body += String(c)));
          // The bare value, not `client_secret=...`, which pattern-based redaction would catch anyway.
          req.on("end", () => json(res, status, { error: "invalid_client", error_description: `no client has the secret ${new URLSearchParams(body).get("client_secret")}` }));
        };
        const result = await glp(["identity", "get-users", "--verbose"], freshEnv({ GREENLAKE_CLIENT_SECRET: secret }));
        expect(result.code).toBe(3);
        expect(result.err + result.out).not.toContain(secret);
        expect(result.err.trim().split("\n").filter((l) => !l.startsWith(">") && !l.startsWith("<") && !l.startsWith("glp: token request"))).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
    // An issuer answering 500 is asked again with backoff, as the SDK's retry policy says.
  }, 300_000);
});

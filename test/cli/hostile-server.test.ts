/**
 * glp as a process against a hostile stub: a device name that writes the
 * clipboard (OSC 52), an error that sets the window title (OSC 0), an 8-bit
 * CSI, a text answer that clears the screen. Nothing reaches the terminal raw
 * on stdout or stderr, in any format, with or without --verbose; JSON output
 * still holds the exact data.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glp } from "./support/glp-process.js";

const WORKSPACE = "0123456789abcdef0123456789abcdef";
const CLIPBOARD = "\u001b]52;c;ZWNobyBwd25lZA==\u0007";
const TITLE = "\u001b]0;pwned\u0007";
const CSI8 = "\u009b2J";
const NAME = `dev-1${CLIPBOARD}`;
let server: Server;
let env: Record<string, string | undefined>;
let home: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "POST" && url.pathname.endsWith("/token")) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ access_token: "hostile-token", token_type: "Bearer", expires_in: 900 }));
    }
    if (url.pathname === "/identity/v1/users") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ items: [{ id: NAME, name: NAME, [`key${CSI8}`]: TITLE }], count: 1, offset: 0, total: 1 }));
    }
    if (url.pathname === "/identity/v1/users/plain") {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end(`report${CSI8}\u001b[2J${CLIPBOARD}\n`);
    }
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ httpStatusCode: 400, errorCode: `HPE${CSI8}`, message: `bad${TITLE}`, debugId: `dbg${CLIPBOARD}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = mkdtempSync(join(tmpdir(), "glp-hostile-"));
  env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    GREENLAKE_CLIENT_ID: "hostile-client",
    GREENLAKE_CLIENT_SECRET: "hostile-secret-value",
    GREENLAKE_WORKSPACE_ID: WORKSPACE,
    GREENLAKE_TOKEN_URL: `${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token`,
    GREENLAKE_BASE_URL: baseUrl,
  };
}, 180_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(home, { recursive: true, force: true });
});

const raw = (text: string) => [...text.replaceAll("\r\n", "\n").matchAll(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g)].length;

describe("glp against a hostile server, as a process", () => {
  it("prints no control character from the server raw, in any format and on any path", async () => {
    const runs = await Promise.all([
      ...["json", "jsonl", "yaml", "csv", "table"].map((format) => glp(["identity", "get-users", "-o", format, "--verbose"], { env })),
      glp(["identity", "get-user-detailed", "--id", "u1", "--verbose"], { env }),
      glp(["identity", "get-user-detailed", "--id", "plain"], { env }),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 1, 0]);
    for (const r of runs) expect([raw(r.stdout), raw(r.stderr)], r.stdout + r.stderr).toEqual([0, 0]);
    expect(JSON.parse(runs[0]!.stdout)).toEqual([{ id: NAME, name: NAME, [`key${CSI8}`]: TITLE }]);
    expect(runs[4]!.stdout).toContain("dev-1\\x1b]52;c;ZWNobyBwd25lZA==\\x07");
    expect(runs[5]!.stderr).toContain("HPE\\x9b2J");
    expect(runs[6]!.stdout).toBe("report\\x9b2J\\x1b[2J\\x1b]52;c;ZWNobyBwd25lZA==\\x07\n");
  }, 120_000);
});

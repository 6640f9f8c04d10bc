/**
 * Any header name a server sends (one that reads like an object's own property included, such as `constructor`
 * or `__proto__`), repeated or not, with empty values or bytes that are not UTF-8: the call answers and shows
 * the headers as fetch does.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetch } from "../../src/internal/http.js";
import { startRawServer, type RawServer } from "./support/raw-server.js";

let server: RawServer;
beforeAll(async () => {
  server = await startRawServer();
});
afterAll(() => server.close());

// Names the framing or fetch treat apart: not what this property is about.
const FRAMING = /^(content-length|transfer-encoding|connection|keep-alive|upgrade|proxy-connection|set-cookie|te|trailer)$/i;
const OBJECT_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__", "Constructor", "__PROTO__"];

const headerName = fc
  .oneof(fc.constantFrom(...OBJECT_NAMES, "Content-Disposition", "X-Message", "x-message"), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,12}$/))
  .filter((name) => !FRAMING.test(name));
// Visible ASCII and bytes past it that need not be UTF-8 (written one byte per character), or nothing.
const headerValue = fc.oneof(fc.constant(""), fc.stringMatching(/^[\x21-\x7e\x80-\xff]([\x20-\x7e\x80-\xff]{0,14}[\x21-\x7e\x80-\xff])?$/));
const headerLines = fc.array(fc.tuple(headerName, headerValue), { minLength: 1, maxLength: 8 });

function entriesOf(headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  headers.forEach((value, name) => out.push([name, value]));
  return out;
}

function rawAnswer(lines: readonly (readonly [string, string])[]): Buffer {
  const head = lines.map(([name, value]) => `${name}: ${value}\r\n`).join("");
  return Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${head}Content-Length: 11\r\nConnection: close\r\n\r\n{"ok":true}`, "latin1");
}

describe("response header names", () => {
  it("whatever names and values a server sends, the call answers with the headers fetch shows", async () => {
    await fc.assert(
      fc.asyncProperty(headerLines, async (lines) => {
        server.answer = rawAnswer(lines);
        const expected = await fetch(server.url);
        const response = await httpFetch(new Request(server.url));
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ ok: true });
        expect(entriesOf(response.headers)).toEqual(entriesOf(expected.headers));
        for (const [name] of lines) expect(response.headers.get(name)).toBe(expected.headers.get(name));
        await expected.arrayBuffer();
      }),
      { numRuns: 150 },
    );
  });

  it("a header named constructor, __proto__ or toString is a header like any other", async () => {
    server.answer = rawAnswer([
      ["constructor", "a"],
      ["__proto__", "b"],
      ["toString", "c"],
      ["constructor", "d"],
    ]);
    const response = await httpFetch(new Request(server.url));
    expect(response.headers.get("constructor")).toBe("a, d");
    expect(response.headers.get("__proto__")).toBe("b");
    expect(response.headers.get("tostring")).toBe("c");
  });

  it("a repeated header with an empty value first keeps both, as fetch does", async () => {
    server.answer = rawAnswer([
      ["X-Note", ""],
      ["X-Note", "v"],
    ]);
    expect((await httpFetch(new Request(server.url))).headers.get("x-note")).toBe(", v");
  });

  it("a repeated Content-Disposition beside Content-Length keeps both values", async () => {
    server.answer = rawAnswer([
      ["Content-Disposition", "attachment"],
      ["Content-Disposition", "inline"],
    ]);
    expect((await httpFetch(new Request(server.url))).headers.get("content-disposition")).toBe("attachment, inline");
  });
});

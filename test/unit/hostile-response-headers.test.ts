/** Header values a server writes in bytes past ASCII: the call still answers, showing them one character per byte as fetch does. */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetch } from "../../src/internal/http.js";
import { startRawServer, type RawServer } from "./support/raw-server.js";

let server: RawServer;
beforeAll(async () => {
  server = await startRawServer();
});
afterAll(() => server.close());

function rawAnswer(headerValue: Buffer, name = "X-Message"): Buffer {
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${name}: `, "latin1"), headerValue, Buffer.from('\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{"ok":true}', "latin1")]);
}

describe("a response header with bytes past ASCII", () => {
  it("does not fail the call, whatever UTF-8 text it carries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((s) => /^[^\x00-\x1f\x7f]+$/.test(s) && s.trim() === s), fc.constantFrom("X-Message", "Content-Disposition"), async (text, name) => {
        server.answer = rawAnswer(Buffer.from(text, "utf8"), name);
        const response = await httpFetch(new Request(server.url));
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ ok: true });
        expect(response.headers.get(name)).toBe(Buffer.from(text, "utf8").toString("latin1"));
      }),
      { numRuns: 150 },
    );
  });

  it("shows a UTF-8 euro sign as its three bytes, as fetch does", async () => {
    server.answer = rawAnswer(Buffer.from("Gerät 5 €", "utf8"));
    const response = await httpFetch(new Request(server.url));
    expect(response.headers.get("x-message")).toBe(Buffer.from("Gerät 5 €", "utf8").toString("latin1"));
  });
});

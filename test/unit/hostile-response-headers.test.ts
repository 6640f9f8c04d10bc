/** Header values a server writes in bytes past ASCII: the call still answers, showing them one character per byte as fetch does. */
import net from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetch } from "../../src/internal/http.js";

let answer: Buffer = Buffer.alloc(0);
let server: net.Server;
let url = "";
beforeAll(async () => {
  server = net.createServer((socket) => {
    socket.once("data", () => socket.end(answer));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function rawAnswer(headerValue: Buffer, name = "X-Message"): Buffer {
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${name}: `, "latin1"), headerValue, Buffer.from('\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{"ok":true}', "latin1")]);
}

describe("a response header with bytes past ASCII", () => {
  it("does not fail the call, whatever UTF-8 text it carries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((s) => /^[^\x00-\x1f\x7f]+$/.test(s) && s.trim() === s), fc.constantFrom("X-Message", "Content-Disposition"), async (text, name) => {
        answer = rawAnswer(Buffer.from(text, "utf8"), name);
        const response = await httpFetch(new Request(url));
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ ok: true });
        expect(response.headers.get(name)).toBe(Buffer.from(text, "utf8").toString("latin1"));
      }),
      { numRuns: 150 },
    );
  });

  it("shows a UTF-8 euro sign as its three bytes, as fetch does", async () => {
    answer = rawAnswer(Buffer.from("Gerät 5 €", "utf8"));
    const response = await httpFetch(new Request(url));
    expect(response.headers.get("x-message")).toBe(Buffer.from("Gerät 5 €", "utf8").toString("latin1"));
  });
});

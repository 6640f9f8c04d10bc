/**
 * A server's own words reach an API error's message as one line of text: whatever a hostile or broken
 * server puts in `message`, `errorCode` or `debugId` (terminal escapes, line breaks, C1 controls), or
 * in a body that is not JSON, the message carries no control character, and the printable text stays.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errorFromResponse } from "../../src/errors.js";

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("\u001b[2J\u001b[H", "ok\r\nX-Injected: 1", "\u009b31m red", "\u0007bell", "tab\there", "\u0000nul"),
  fc.array(fc.integer({ min: 0, max: 0x9f }), { maxLength: 20 }).map((codes) => String.fromCharCode(...codes)),
);

describe("errorFromResponse: the server's words", () => {
  it("property: no control character from the answer reaches the message, and its printable text does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 599 }),
        fc.record({ message: hostile, errorCode: hostile, debugId: hostile }, { requiredKeys: [] }),
        fc.boolean(),
        (status, fields, asText) => {
          const body = asText ? (fields.message ?? "") : fields;
          const error = errorFromResponse("GET", "https://h.example/x", new Response(null, { status }), body);
          expect(error.message).not.toMatch(CONTROL);
          const printable = (fields.message ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
          if (printable !== "" && !asText) expect(error.message.replace(/\s+/g, "")).toContain(printable.replace(/\s+/g, ""));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("turns a terminal escape and a line break into spaces", () => {
    const error = errorFromResponse("GET", "https://h.example/x", new Response(null, { status: 400 }), { message: "bad\u001b[2J\r\nrequest", errorCode: "E\u0007" });
    expect(error.message).toContain("GET /x failed with 400 E : bad [2J  request");
    expect(error.message).not.toMatch(CONTROL);
  });
});

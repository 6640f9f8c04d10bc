/**
 * A server's own words reach an API error's message as one line of text: whatever a hostile or broken
 * server puts in `message`, `errorCode` or `debugId` (terminal escapes, line breaks, C1 controls), or
 * in a body that is not JSON, the message carries no control character, and the printable text stays:
 * line breaks and tabs become spaces, any other control character is shown as `\xHH`.
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
          // Every printable run of the server's message is there as it was sent.
          if (!asText) for (const run of (fields.message ?? "").split(/[\u0000-\u001f\u007f-\u009f]/)) expect(error.message).toContain(run);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("shows a terminal escape as \\xHH and turns a line break into a space", () => {
    const error = errorFromResponse("GET", "https://h.example/x", new Response(null, { status: 400 }), { message: "bad\u001b[2J\r\nrequest", errorCode: "E\u009b31m" });
    expect(error.message).toContain("GET /x failed with 400 E\\x9b31m: bad\\x1b[2J  request");
    expect(error.errorCode).toBe("E\\x9b31m");
    expect(error.message).not.toMatch(CONTROL);
  });
});

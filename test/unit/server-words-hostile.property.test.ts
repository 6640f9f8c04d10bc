/**
 * A server's own words in an error stay one line of text that shows what was sent, whatever the server
 * puts there: Unicode's own line breaks (U+2028, U+2029) are line breaks too, bidirectional controls
 * (which make a terminal show text in another order than it was sent) are shown escaped, a credential
 * the server echoes is hidden even when it holds a control character, and an async operation's failure
 * follows the same rule as an API error.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { errorFromResponse, operationFailedError, operationTimeoutError } from "../../src/errors.js";
import { forgetSecrets, MIN_SECRET_PIECE, registerSecret } from "../../src/internal/redaction.js";

// C0, DEL, C1, Unicode line and paragraph separators, and the bidirectional controls.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const unsafeChar = fc.constantFrom(..."\u0000\u0007\t\n\r\u001b\u007f\u0085\u009b\u2028\u2029\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069");
const hostile = fc.array(fc.oneof(fc.string({ maxLength: 6 }), unsafeChar), { maxLength: 12 }).map((parts) => parts.join(""));
const alnum = fc.stringMatching(/^[A-Za-z0-9]+$/);

afterEach(() => forgetSecrets());

describe("the server's words in errors", () => {
  it("property: an API error's message holds no line break, control or bidirectional control from the answer", () => {
    fc.assert(
      fc.property(fc.record({ message: hostile, errorCode: hostile, debugId: hostile }, { requiredKeys: [] }), fc.boolean(), (fields, asText) => {
        const body = asText ? (fields.message ?? "") : fields;
        const error = errorFromResponse("GET", "https://h.example/x", new Response(null, { status: 400 }), body);
        expect(error.message).not.toMatch(UNSAFE);
        expect(error.errorCode ?? "").not.toMatch(UNSAFE);
        expect(error.debugId ?? "").not.toMatch(UNSAFE);
      }),
      { numRuns: 300 },
    );
  });

  it("property: a registered credential holding a control character stays hidden when the server echoes it", () => {
    fc.assert(
      fc.property(
        alnum.filter((s) => s.length >= 2 && s.length < MIN_SECRET_PIECE),
        unsafeChar,
        alnum.filter((s) => s.length >= 2 && s.length < MIN_SECRET_PIECE),
        fc.string({ maxLength: 10 }),
        (head, control, tail, around) => {
          forgetSecrets();
          const secret = `${head}${control}${tail}`;
          fc.pre(secret.length >= MIN_SECRET_PIECE);
          registerSecret(secret);
          const error = errorFromResponse("POST", "https://h.example/x", new Response(null, { status: 401 }), { message: `${around}${secret}${around}` });
          // Neither half of the credential is shown beside the other, in whatever form the control character took.
          expect(error.message).not.toMatch(new RegExp(`${head}.{1,6}${tail}`));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("an async operation's failure or time-out shows the server's words as one line of printable text", () => {
    const summary = "Async operation op\u001b[2J1 (state FAILED: E\u2028\u202eX bad\r\nthing)";
    for (const error of [operationFailedError(summary, {}, "/ops/1"), operationTimeoutError(summary, 1000, "/ops/1")]) {
      expect(error.message).not.toMatch(UNSAFE);
      expect(error.message).toContain("op\\x1b[2J1");
      expect(error.message).toContain("\\u202eX bad  thing");
    }
  });

  it("shows a right-to-left override escaped and a line separator as a space", () => {
    const error = errorFromResponse("GET", "https://h.example/x", new Response(null, { status: 403 }), { message: "denied\u2028for \u202eresu" });
    expect(error.message).toContain("denied for \\u202eresu");
  });
});

/**
 * A server's own words in an error: a credential the server echoes is hidden even when it holds a
 * control character (it is hidden before the control character is shown escaped).
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { errorFromResponse } from "../../src/errors.js";
import { forgetSecrets, MIN_SECRET_PIECE, registerSecret } from "../../src/internal/redaction.js";

const unsafeChar = fc.constantFrom(..."\u0000\u0007\t\n\r\u001b\u007f\u0085\u009b\u2028\u2029\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069");
const alnum = fc.stringMatching(/^[A-Za-z0-9]+$/);

afterEach(() => forgetSecrets());

describe("the server's words in errors", () => {
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
});

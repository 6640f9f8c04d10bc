/** Error bodies a server writes are copied for redaction without changing their shape, whatever keys they use. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GreenLakeError } from "../../src/errors.js";
import { MAX_REDACT_DEPTH, redactDeep } from "../../src/internal/redaction.js";

// Keys a hostile server may pick, among them the ones with a meaning to JavaScript objects.
const key = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty"), fc.stringMatching(/^[a-z]{1,6}$/));
// Text with no credential shape in it, so the copy must equal the original.
const text = fc.stringMatching(/^[a-z0-9]{0,6}$/);
const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: "small", maxDepth: 6 }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie("json"), { maxLength: 4 }), tie("object")),
  object: fc.array(fc.tuple(key, tie("json")), { maxLength: 5 }).map((pairs) => JSON.parse(`{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`) as unknown),
}));

function ownShape(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(ownShape);
  return { proto: Object.getPrototypeOf(value) === Object.prototype, entries: Object.entries(value).map(([k, v]) => [k, ownShape(v)]) };
}

describe("redactDeep on parsed JSON", () => {
  it("keeps every key as an own key and every object's prototype as it was", () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(ownShape(redactDeep(value))).toEqual(ownShape(value));
      }),
      { numRuns: 300 },
    );
  });

  it("does not turn a `__proto__` key in an error body into inherited fields", () => {
    const details = JSON.parse('[{"__proto__":{"retryable":true},"issue":"x"}]') as unknown[];
    const error = new GreenLakeError("m", { errorDetails: details } as never);
    const first = error.errorDetails[0] as Record<string, unknown>;
    expect((first as { retryable?: unknown }).retryable).toBeUndefined();
    expect(Object.keys(first)).toEqual(["__proto__", "issue"]);
    expect(MAX_REDACT_DEPTH).toBeGreaterThan(6);
  });
});

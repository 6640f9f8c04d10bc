/**
 * `--set field=value` on a number field takes decimal notation only: `0x10`,
 * `0b11` or `0o7` are not numbers GreenLake's JSON could carry and are far more
 * likely a mistake than 16, 3 or 7, so they are refused like any other text.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { convertValue } from "../../src/cli/body.js";
import { UsageError } from "../../src/cli/exit-codes.js";

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

describe("--set on a number field", () => {
  it("refuses hexadecimal, binary and octal notation", () => {
    for (const raw of ["0x10", "0b11", "0o7", "-0x1"]) expect(() => convertValue(raw, "number", undefined, "size")).toThrow(UsageError);
  });

  it("property: a value is accepted only in decimal notation, and then is that decimal number", () => {
    const unit = fc.constantFrom("0", "1", "9", "0x", "0b", "0o", "e", "E", ".", "-", "+", " ", "a", "f", "_", "Infinity");
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 8 }), (raw) => {
        let value: unknown;
        try {
          value = convertValue(raw, "number", undefined, "size");
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          return;
        }
        expect(raw).toMatch(DECIMAL);
        expect(value).toBe(Number(raw));
      }),
      { numRuns: 1000 },
    );
  });

  it("still takes plain decimal numbers", () => {
    expect(convertValue("1.5", "number", undefined, "size")).toBe(1.5);
    expect(convertValue("-2e3", "number", undefined, "size")).toBe(-2000);
    expect(convertValue(" 7 ", "number", undefined, "size")).toBe(7);
  });
});

describe("a number parameter on the command line", () => {
  it("property: is taken only in decimal notation, as --set is", async () => {
    const { parseScalar } = await import("../../src/cli/args.js");
    const unit = fc.constantFrom("0", "1", "0x", "0b", "0o", "e", ".", "-", " ", "f", "Infinity");
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 8 }), (raw) => {
        let value: unknown;
        try {
          value = parseScalar(raw, "number", undefined);
        } catch {
          return;
        }
        expect(raw).toMatch(DECIMAL);
        expect(value).toBe(Number(raw));
      }),
      { numRuns: 1000 },
    );
  });
});

/**
 * Property-based tests of glp's argument handling: generated flag values of
 * the wrong type, outside the enum, or flags no operation has must end in a
 * one-line usage error with exit code 2 (never a stack trace, never a call);
 * valid values must reach the request as the typed values they spell.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { parseOperationArgs } from "../../src/cli/args.js";
import { applySet } from "../../src/cli/body.js";
import { loadIndex, loadService } from "../../src/cli/catalog.js";
import { EXIT, UsageError } from "../../src/cli/exit-codes.js";
import type { CliOperation, CliParameter, CliService } from "../../src/cli/metadata.js";
import { run } from "../../src/cli/run.js";
import { memoryIo } from "./support/cli-io.js";

let services: CliService[] = [];
type Pick = { service: string; op: CliOperation };
let all: Pick[] = [];

beforeAll(async () => {
  services = await Promise.all(Object.keys(await loadIndex()).map((s) => loadService(s)));
  all = services.flatMap((s) => s.operations.map((op) => ({ service: s.service, op })));
});

const itemType = (p: CliParameter) => (p.type.startsWith("array<") ? p.type.slice(6, -1) : p.type);

/** A value every parameter of this type accepts. */
function validRaw(p: CliParameter): string {
  if (p.enum && p.enum.length > 0) return String(p.enum[0]);
  switch (itemType(p)) {
    case "integer":
    case "number":
      return "1";
    case "boolean":
      return "true";
    case "object":
      return "{}";
    default:
      return "x";
  }
}

/** The operation's required flags with valid values, so the generated mistake is the only one. */
function requiredArgs(op: CliOperation, except?: CliParameter): string[] {
  return op.parameters.filter((p) => p.required && p !== except).flatMap((p) => [`--${p.flag}`, validRaw(p)]);
}

function expectUsageError(code: number, stderr: string, mention: string): void {
  expect(code).toBe(2);
  expect(stderr.startsWith("glp: usage: ")).toBe(true);
  expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(stderr).toContain(mention);
  expect(stderr).not.toMatch(/\n\s+at /);
}

function operationsWith(test: (p: CliParameter) => boolean): { pick: Pick; p: CliParameter }[] {
  return all.flatMap((pick) => pick.op.parameters.filter(test).map((p) => ({ pick, p })));
}

const NUM_RUNS = 100;

describe("glp argument validation (property-based)", () => {
  it("rejects a value of the wrong type with a usage error naming the flag", async () => {
    const numeric = operationsWith((p) => ["integer", "number", "boolean"].includes(itemType(p)) && !p.enum);
    expect(numeric.length).toBeGreaterThan(50);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...numeric),
        fc.oneof(fc.string(), fc.constantFrom("1.5", "1e3", "0x10", " 1", "", "NaN", "Infinity", "--", "-", "yes", "9007199254740993")),
        async ({ pick, p }, raw) => {
          const type = itemType(p);
          const valid = type === "integer" ? /^-?\d+$/.test(raw.trim()) && Number.isSafeInteger(Number(raw)) : type === "number" ? raw.trim() !== "" && Number.isFinite(Number(raw)) : raw === "true" || raw === "false";
          fc.pre(!valid && !(type === "boolean" && raw.startsWith("-")));
          const io = memoryIo();
          const code = await run([pick.service, pick.op.name, ...requiredArgs(pick.op, p), `--${p.flag}`, raw], io);
          expectUsageError(code, io.err(), `--${p.flag}`);
          expect(io.out()).toBe("");
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it("rejects a value outside the enum, listing the allowed ones", async () => {
    const enumerated = operationsWith((p) => (p.enum?.length ?? 0) > 0 && itemType(p) === "string");
    expect(enumerated.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...enumerated), fc.string({ minLength: 1 }), async ({ pick, p }, raw) => {
        fc.pre(!raw.split(",").every((v) => p.enum!.map(String).includes(v)) && !raw.startsWith("-"));
        const io = memoryIo();
        const code = await run([pick.service, pick.op.name, ...requiredArgs(pick.op, p), `--${p.flag}`, raw], io);
        expectUsageError(code, io.err(), "expected one of");
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("rejects flags the operation does not have", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 917 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), async (i, name) => {
        const { service, op } = all[i]!;
        const known = new Set([...op.parameters.map((p) => p.flag), "output", "columns", "raw", "all", "max-items", "concurrency", "data", "set", "wait", "profile", "region", "tenant", "all-tenants", "tenant-concurrency", "mock", "no-progress", "progress", "verbose", "help"]);
        fc.pre(![...known].some((k) => k === name || k.startsWith(name)));
        const io = memoryIo();
        const code = await run([service, op.name, ...requiredArgs(op), `--${name}`], io);
        expectUsageError(code, io.err(), `--${name}`);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("never throws or prints a stack trace, whatever the arguments", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 917 }), fc.array(fc.oneof(fc.string(), fc.constantFrom("--all", "--limit", "--set", "--data", "-o", "--output", "--", "-", "--max-items", "--columns", "--wait", "=", "--filter=")), { maxLength: 6 }), async (i, args) => {
        const { service, op } = all[i]!;
        fc.pre(!args.includes("--mock") && !args.some((a) => a.startsWith("@")));
        const io = memoryIo();
        const code = await run([service, op.name, ...args], io);
        expect([0, 2, EXIT.configuration]).toContain(code);
        expect(io.err()).not.toMatch(/\n\s+at /);
        // Besides a deprecation warning, a failure is one line.
        if (code !== 0) expect(io.err().trimEnd().split("\n").filter((l) => !l.startsWith("glp: warning: "))).toHaveLength(1);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("passes valid values through as the typed values they spell", async () => {
    const withParameters = () => all.filter((a) => a.op.parameters.length > 0);
    await fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: -1e9, max: 1e9 }), fc.boolean(), fc.string({ minLength: 1 }), (i, j, n, b, s) => {
        const picks = withParameters();
        const { op } = picks[i % picks.length]!;
        const p = op.parameters[j % op.parameters.length]!;
        fc.pre(!s.startsWith("-") && !(p.type.startsWith("array<") && s.includes(",")));
        const type = itemType(p);
        const expected = p.enum && p.enum.length > 0 ? p.enum[Math.abs(n) % p.enum.length]! : type === "integer" ? n : type === "number" ? n / 4 : type === "boolean" ? b : type === "object" ? { k: s } : s;
        const raw = typeof expected === "object" ? JSON.stringify(expected) : String(expected);
        const call = parseOperationArgs(op, [...requiredArgs(op, p), `--${p.flag}`, raw]);
        const where = p.in === "path" ? call.path : p.in === "query" ? call.query : call.header;
        const want = p.in === "header" ? raw : p.type.startsWith("array<") ? [expected] : expected;
        expect(where[p.name]).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it("--set builds nested objects from dotted keys and refuses prototype keys", () => {
    const spec = { mediaType: "application/json", required: false, type: "object", fields: [] };
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 4 }), fc.string(), (keys, value) => {
        const body = applySet(undefined, `${keys.join(".")}=${value}`, spec);
        let node: unknown = body;
        for (const k of keys) node = (node as Record<string, unknown>)[k];
        let expected: unknown = value;
        try {
          expected = JSON.parse(value);
        } catch {
          // kept as text
        }
        expect(node).toEqual(expected);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 300 },
    );
    for (const bad of ["__proto__.polluted=1", "a.constructor.x=1", ".a=1", "a..b=1", "=1", "noequals"]) {
      expect(() => applySet(undefined, bad, spec)).toThrow(UsageError);
    }
  });
});

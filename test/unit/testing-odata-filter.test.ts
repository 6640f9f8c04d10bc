import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { filter, type ODataFilter } from "../../src/filters.js";
import { listPage } from "../../src/testing/listing.js";
import { FilterSyntaxError, matches, parseFilter } from "../../src/testing/odata-filter.js";

// A small world of items: nested properties, strings with quotes, numbers, booleans, missing values.
type Value = string | number | boolean | null;
const FIELDS = ["name", "state", "count", "enabled", "hardware/model"] as const;
type Field = (typeof FIELDS)[number];

const stringValue = fc.oneof(fc.constantFrom("OK", "WARNING", "it's", "a''b", "DL360", ""), fc.string({ maxLength: 6 }));
const valueFor = (field: Field): fc.Arbitrary<Value> =>
  field === "count" ? fc.integer({ min: -5, max: 5 }) : field === "enabled" ? fc.boolean() : stringValue;

const itemArb = fc.record(
  {
    name: stringValue,
    state: stringValue,
    count: fc.integer({ min: -5, max: 5 }),
    enabled: fc.boolean(),
    hardware: fc.record({ model: stringValue }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

type Ast =
  | { op: "eq" | "ne" | "gt" | "ge" | "lt" | "le"; field: Field; value: Value }
  | { op: "in"; field: Field; values: Value[] }
  | { op: "contains" | "startswith" | "endswith"; field: Field; value: string }
  | { op: "and" | "or"; parts: Ast[] }
  | { op: "not"; part: Ast };

const leaf: fc.Arbitrary<Ast> = fc.constantFrom(...FIELDS).chain((field) =>
  fc.oneof(
    fc.record({ op: fc.constantFrom("eq", "ne", "gt", "ge", "lt", "le" as const), field: fc.constant(field), value: valueFor(field) }) as fc.Arbitrary<Ast>,
    fc.record({ op: fc.constant("in" as const), field: fc.constant(field), values: fc.array(valueFor(field), { minLength: 1, maxLength: 3 }) }),
    fc.record({ op: fc.constantFrom("contains", "startswith", "endswith" as const), field: fc.constant(field), value: stringValue }),
  ),
);

const astArb: fc.Arbitrary<Ast> = fc.letrec<{ ast: Ast }>((tie) => ({
  ast: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.record({ op: fc.constantFrom("and", "or" as const), parts: fc.array(tie("ast"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ op: fc.constant("not" as const), part: tie("ast") }),
  ),
})).ast;

/** The filter text, written with the SDK's own builder. */
function render(ast: Ast): ODataFilter {
  switch (ast.op) {
    case "and":
    case "or":
      return filter[ast.op](...ast.parts.map(render));
    case "not":
      return filter.not(render(ast.part));
    case "in":
      return filter.in(ast.field, ast.values);
    case "contains":
    case "startswith":
    case "endswith":
      return filter[ast.op](ast.field, ast.value);
    default:
      return filter[ast.op](ast.field, ast.value);
  }
}

function get(item: Record<string, unknown>, field: Field): unknown {
  return field.split("/").reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined), item);
}

/** Reference semantics, written independently of the parser. */
function reference(ast: Ast, item: Record<string, unknown>): boolean {
  switch (ast.op) {
    case "and":
      return ast.parts.every((p) => reference(p, item));
    case "or":
      return ast.parts.some((p) => reference(p, item));
    case "not":
      return !reference(ast.part, item);
    case "in":
      return ast.values.some((v) => reference({ op: "eq", field: ast.field, value: v }, item));
    case "contains": {
      const v = get(item, ast.field);
      return typeof v === "string" && v.includes(ast.value);
    }
    case "startswith": {
      const v = get(item, ast.field);
      return typeof v === "string" && v.startsWith(ast.value);
    }
    case "endswith": {
      const v = get(item, ast.field);
      return typeof v === "string" && v.endsWith(ast.value);
    }
    default: {
      const v = get(item, ast.field);
      const same = ast.value === null ? v === undefined || v === null : v === ast.value;
      if (ast.op === "eq") return same;
      if (ast.op === "ne") return !same;
      if (v === undefined || v === null || ast.value === null || typeof v !== typeof ast.value) return false;
      const a = v as string | number | boolean;
      const b = ast.value;
      return ast.op === "gt" ? a > b : ast.op === "ge" ? a >= b : ast.op === "lt" ? a < b : a <= b;
    }
  }
}

describe("OData filter evaluator", () => {
  it("agrees with a reference evaluation on generated filters and items", () => {
    fc.assert(
      fc.property(astArb, fc.array(itemArb, { maxLength: 8 }), (ast, items) => {
        const node = parseFilter(render(ast));
        for (const item of items) expect(matches(node, item)).toBe(reference(ast, item));
      }),
      { numRuns: 400 },
    );
  });

  it("answers bad syntax with FilterSyntaxError (so 400), never another failure", () => {
    const fragments = fc.constantFrom("name", "eq", "ne", "in", "and", "or", "not", "(", ")", ",", "'x'", "'", "''", "3", "-", "/", "contains", "contains(", "true", "null", "é", "#", "*", " ");
    const hostile = fc.oneof(fc.string({ maxLength: 30 }), fc.array(fragments, { maxLength: 10 }).map((p) => p.join(" ")), fc.array(fragments, { maxLength: 10 }).map((p) => p.join("")));
    fc.assert(
      fc.property(hostile, (text) => {
        try {
          parseFilter(text);
        } catch (error) {
          expect(error).toBeInstanceOf(FilterSyntaxError);
          // An empty filter parameter means no filter, as on GreenLake.
          if (text === "") return;
          const page = listPage([{ name: "a" }], { query: new URLSearchParams({ filter: text }), pagination: undefined, declared: new Set(), responseFields: new Set() });
          expect(page.ok).toBe(false);
          if (!page.ok) {
            expect(page.status).toBe(400);
            expect(page.field).toBe("filter");
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("reads the guides' forms: nested properties, doubled quotes, in-lists and functions", () => {
    const item = { name: "it's", hardware: { model: "ProLiant DL360 Gen11" }, state: "OK" };
    expect(matches(parseFilter("hardware/model eq 'ProLiant DL360 Gen11'"), item)).toBe(true);
    expect(matches(parseFilter("name eq 'it''s' and state in ('OK', 'WARNING')"), item)).toBe(true);
    expect(matches(parseFilter("not startswith(hardware/model, 'Synergy') or contains(name, 'x')"), item)).toBe(true);
    expect(() => parseFilter("name eq 'open")).toThrow(/unterminated string literal/);
    expect(() => parseFilter("name like 'a'")).toThrow(/unknown operator "like"/);
  });
});

/**
 * `--set` values the way users type them: for generated field schemas (types,
 * item types, enums) and generated values, a field is either set to a value its
 * schema accepts, converted from the text, or refused with a usage error naming
 * the field and the rule; arrays come from a comma list, a JSON array or the flag repeated.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applySet, buildBody } from "../../src/cli/body.js";
import { EXIT, UsageError } from "../../src/cli/exit-codes.js";
import type { CliBody, CliField, Scalar } from "../../src/cli/metadata.js";
import { run } from "../../src/cli/run.js";
import { memoryIo } from "./support/cli-io.js";

const SCALARS = ["string", "integer", "number", "boolean"] as const;

const fieldArb: fc.Arbitrary<CliField> = fc
  .record({
    name: fc.stringMatching(/^[a-z][A-Za-z0-9]{0,10}$/),
    item: fc.constantFrom(...SCALARS),
    array: fc.boolean(),
    enumValues: fc.option(fc.uniqueArray(fc.stringMatching(/^[A-Z][A-Z_]{0,8}$/), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  })
  .map(({ name, item, array, enumValues }) => ({
    name,
    type: array ? `array<${item}>` : item,
    required: false,
    // Enums as documents write them: strings for string fields only.
    ...(enumValues && item === "string" ? { enum: enumValues as Scalar[] } : {}),
  }));

/** Whether `value` is what the field's schema allows. */
function conforms(field: CliField, value: unknown): boolean {
  const one = (type: string, v: unknown) => {
    const typed = type === "integer" ? Number.isSafeInteger(v) : type === "number" ? typeof v === "number" && Number.isFinite(v) : typeof v === type;
    return typed && (field.enum === undefined || field.enum.includes(v as Scalar));
  };
  if (field.type.startsWith("array<")) return Array.isArray(value) && value.every((v) => one(field.type.slice(6, -1), v));
  return one(field.type, value);
}

const spec = (field: CliField): CliBody => ({ mediaType: "application/json", required: false, type: "object", fields: [field] });

/** What users type: numbers, words, booleans, lists, JSON, and nonsense. */
const typed = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom("true", "false", "yes", "1", "", " ", "[]", "[1,2]", '["a"]', "{}", "null", "A,B", "1,2,x", "1e3", "0x10", "-0"),
  fc.stringMatching(/^[A-Z][A-Z_]{0,8}$/),
  fc.string({ maxLength: 12 }),
);

function valueFor(field: CliField): fc.Arbitrary<unknown> {
  const item = field.type.startsWith("array<") ? field.type.slice(6, -1) : field.type;
  const one: fc.Arbitrary<unknown> = field.enum
    ? fc.constantFrom(...field.enum)
    : item === "integer"
      ? fc.integer()
      : item === "number"
        ? fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0))
        : item === "boolean"
          ? fc.boolean()
          : fc.stringMatching(/^[a-z0-9:/_-]{1,12}$/);
  return field.type.startsWith("array<") ? fc.array(one, { minLength: 1, maxLength: 4 }) : one;
}

describe("--set converts and checks values against the body schema", () => {
  it("property: a field is set to a value its schema allows, or refused naming the field and the rule", () => {
    fc.assert(
      fc.property(fieldArb, fc.array(typed, { minLength: 1, maxLength: 3 }), (field, raws) => {
        try {
          const body = buildBodySync(field, raws);
          expect(conforms(field, body[field.name])).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message).toMatch(new RegExp(`^--set ${field.name}: (the field is an? (integer|number|boolean|object|array)|expected one of )`));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("property: a typed value written as a user would (a comma list, a JSON array, the flag repeated) arrives as that value", () => {
    fc.assert(
      fc.property(fieldArb.chain((f) => fc.tuple(fc.constant(f), valueFor(f))), ([field, value]) => {
        if (Array.isArray(value)) {
          const commaList = buildBodySync(field, [value.map(String).join(",")]);
          const repeated = buildBodySync(field, value.map(String));
          const json = buildBodySync(field, [JSON.stringify(value)]);
          for (const body of [commaList, repeated, json]) expect(body[field.name]).toEqual(value);
        } else {
          expect(buildBodySync(field, [String(value)])[field.name]).toEqual(value);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("the concrete cases: scope from a GRN, booleans, enums", () => {
    const scope: CliField = { name: "scope", type: "array<string>", required: true };
    expect(applySet(undefined, "scope=grn:glp/workspaces/abc", spec(scope))).toEqual({ scope: ["grn:glp/workspaces/abc"] });
    expect(buildBodySync(scope, ["grn:a,grn:b", "grn:c"])).toEqual({ scope: ["grn:a", "grn:b", "grn:c"] });
    const flag: CliField = { name: "sendWelcomeEmail", type: "boolean", required: false };
    expect(() => applySet(undefined, "sendWelcomeEmail=yes", spec(flag))).toThrow("--set sendWelcomeEmail: the field is a boolean: expected true or false; nothing was sent");
    const kind: CliField = { name: "deviceType", type: "string", required: false, enum: ["DIRECT_CONNECT_SERVER", "OVE_APPLIANCE_VM"] };
    expect(() => applySet(undefined, "deviceType=SERVER", spec(kind))).toThrow("--set deviceType: expected one of DIRECT_CONNECT_SERVER, OVE_APPLIANCE_VM; nothing was sent");
  });

  it("a refused value is exit code 2 and nothing is sent", async () => {
    // Any request would fail on the closed port with exit code 7; exit 2 means none was made.
    const io = memoryIo({ env: { HOME: "/nonexistent-glp-home", GREENLAKE_TOKEN: "t", GREENLAKE_BASE_URL: "http://127.0.0.1:9" } });
    expect(await run(["identity", "invite-user-to-account", "--set", "email=a@example.com", "--set", "sendWelcomeEmail=maybe"], io)).toBe(EXIT.usage);
    expect(io.err()).toBe("glp: usage: --set sendWelcomeEmail: the field is a boolean: expected true or false; nothing was sent\n");
  });
});

/** buildBody's loop over `--set` values, without a --data source. */
function buildBodySync(field: CliField, raws: readonly string[]): Record<string, unknown> {
  let body: unknown;
  const appending = new Set<string>();
  for (const raw of raws) body = applySet(body, `${field.name}=${raw}`, spec(field), appending);
  return body as Record<string, unknown>;
}
void buildBody;

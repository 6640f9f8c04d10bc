/**
 * GreenLake's OData filter subset: `eq ne gt ge lt le in`, `and or not`,
 * `contains startswith endswith`. Values are always rendered as literals, so
 * no value can change a filter's structure.
 */

declare const FILTER: unique symbol;
/** A filter expression built by this module (plain string at run time). */
export type ODataFilter = string & { readonly [FILTER]: true };

/** A trusted fragment inserted verbatim into an `odata` template. */
export class ODataRaw {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type ODataValue = string | number | bigint | boolean | null | Date;

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(?:[./][A-Za-z_][A-Za-z0-9_]*)*$/;

function field(name: string): string {
  if (typeof name !== "string" || !FIELD.test(name)) {
    throw new TypeError(`Invalid filter field name ${JSON.stringify(name)}: use letters, digits, "_", and "/" or "." between parts.`);
  }
  return name;
}

/** Renders one value as an OData literal: strings quoted with `'` doubled, timestamps as RFC 3339. */
export function literal(value: ODataValue): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return `'${value.replaceAll("'", "''")}'`;
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`Filter values must be finite numbers (got ${value}).`);
      return String(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    default:
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new TypeError("Filter values must be valid dates (got an Invalid Date).");
        return value.toISOString();
      }
      throw new TypeError(`Unsupported filter value of type ${typeof value}; use a string, number, boolean, null or Date.`);
  }
}

function list(values: readonly ODataValue[]): string {
  if (!Array.isArray(values) || values.length === 0) throw new TypeError("An `in` filter needs a non-empty array of values.");
  return `(${values.map(literal).join(", ")})`;
}

const make = (text: string) => text as ODataFilter;
const compare = (op: string) => (name: string, value: ODataValue): ODataFilter => make(`${field(name)} ${op} ${literal(value)}`);
const call = (fn: string) => (name: string, value: string): ODataFilter => {
  if (typeof value !== "string") throw new TypeError(`${fn}() takes a string value.`);
  return make(`${fn}(${field(name)}, ${literal(value)})`);
};
const join = (op: string) => (...parts: ODataFilter[]): ODataFilter => {
  if (parts.length === 0) throw new TypeError(`${op}() needs at least one filter.`);
  return make(parts.length === 1 ? String(parts[0]) : parts.map((p) => `(${p})`).join(` ${op} `));
};

/** Builder: `filter.and(filter.eq("state", "OK"), filter.in("model", ["a", "b"]))`. */
export const filter = {
  eq: compare("eq"),
  ne: compare("ne"),
  gt: compare("gt"),
  ge: compare("ge"),
  lt: compare("lt"),
  le: compare("le"),
  in: (name: string, values: readonly ODataValue[]): ODataFilter => make(`${field(name)} in ${list(values)}`),
  contains: call("contains"),
  startswith: call("startswith"),
  endswith: call("endswith"),
  and: join("and"),
  or: join("or"),
  not: (part: ODataFilter): ODataFilter => make(`not (${part})`),
};

/**
 * Tagged template: the text is the filter's structure and every `${value}`
 * becomes a literal (arrays become `in` lists). Embed a built filter or a
 * trusted fragment with `odata.raw(...)`.
 *
 *     odata`serialNumber eq ${serial} and state in ${["OK", "WARNING"]}`
 */
export function odata(strings: TemplateStringsArray, ...values: readonly (ODataValue | readonly ODataValue[] | ODataRaw)[]): ODataFilter {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as ODataValue | readonly ODataValue[] | ODataRaw;
    out += value instanceof ODataRaw ? `(${value.text})` : Array.isArray(value) ? list(value) : literal(value as ODataValue);
    out += strings[i + 1] ?? "";
  }
  return make(out);
}

/** Marks text as trusted filter syntax (e.g. a filter built elsewhere) for use inside `odata`. */
odata.raw = (text: string | ODataFilter): ODataRaw => new ODataRaw(String(text));

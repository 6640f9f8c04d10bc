/**
 * GreenLake's OData filter subset, parsed and evaluated over mock items:
 * `eq ne gt ge lt le in`, `and or not`, `contains startswith endswith`,
 * nested properties with `/`, string literals in `'...'` with `''` for a quote.
 * Bad syntax is a FilterSyntaxError, which the mocks answer with 400.
 */

export class FilterSyntaxError extends Error {
  override readonly name = "FilterSyntaxError";
  constructor(
    message: string,
    /** Character offset in the filter where the problem is. */
    readonly position: number,
  ) {
    super(message);
  }
}

export type Literal = string | number | boolean | null;

export type FilterNode =
  | { readonly kind: "and" | "or"; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: "not"; readonly operand: FilterNode }
  | { readonly kind: "compare"; readonly op: "eq" | "ne" | "gt" | "ge" | "lt" | "le"; readonly field: readonly string[]; readonly value: Literal }
  | { readonly kind: "in"; readonly field: readonly string[]; readonly values: readonly Literal[] }
  | { readonly kind: "call"; readonly fn: "contains" | "startswith" | "endswith"; readonly field: readonly string[]; readonly value: string };

type Token =
  | { type: "word"; text: string; at: number }
  | { type: "string"; text: string; at: number }
  | { type: "number"; value: number; at: number }
  | { type: "punct"; text: "(" | ")" | ","; at: number };

const COMPARE = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const FUNCTIONS = new Set(["contains", "startswith", "endswith"]);
const WORD = /[A-Za-z0-9_./:+\-]/;
const FIELD = /^[A-Za-z_$@][A-Za-z0-9_$@-]*(?:\/[A-Za-z_$@][A-Za-z0-9_$@-]*)*$/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ type: "punct", text: c, at: i });
      i++;
    } else if (c === "'") {
      const at = i;
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError(`unterminated string literal starting at position ${at}`, at);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ type: "string", text: value, at });
    } else if (WORD.test(c)) {
      const at = i;
      while (i < text.length && WORD.test(text[i]!)) i++;
      const word = text.slice(at, i);
      if (NUMBER.test(word)) tokens.push({ type: "number", value: Number(word), at });
      else tokens.push({ type: "word", text: word, at });
    } else {
      throw new FilterSyntaxError(`unexpected character ${JSON.stringify(c)} at position ${i}`, i);
    }
  }
  return tokens;
}

class Parser {
  #i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw new FilterSyntaxError("the filter is empty", 0);
    const node = this.#or();
    const rest = this.tokens[this.#i];
    if (rest !== undefined) throw new FilterSyntaxError(`unexpected ${describe(rest)} at position ${rest.at}`, rest.at);
    return node;
  }

  #peek(): Token | undefined {
    return this.tokens[this.#i];
  }
  #at(): number {
    return this.#peek()?.at ?? this.length;
  }
  #isWord(text: string): boolean {
    const t = this.#peek();
    return t?.type === "word" && t.text.toLowerCase() === text;
  }
  #expectPunct(text: "(" | ")" | ","): void {
    const t = this.#peek();
    if (t?.type !== "punct" || t.text !== text) throw new FilterSyntaxError(`expected "${text}" at position ${this.#at()}, found ${describe(t)}`, this.#at());
    this.#i++;
  }

  #or(): FilterNode {
    let left = this.#and();
    while (this.#isWord("or")) {
      this.#i++;
      left = { kind: "or", left, right: this.#and() };
    }
    return left;
  }
  #and(): FilterNode {
    let left = this.#unary();
    while (this.#isWord("and")) {
      this.#i++;
      left = { kind: "and", left, right: this.#unary() };
    }
    return left;
  }
  #unary(): FilterNode {
    if (this.#isWord("not")) {
      this.#i++;
      return { kind: "not", operand: this.#unary() };
    }
    return this.#primary();
  }
  #primary(): FilterNode {
    const t = this.#peek();
    if (t?.type === "punct" && t.text === "(") {
      this.#i++;
      const inner = this.#or();
      this.#expectPunct(")");
      return inner;
    }
    if (t?.type === "word" && FUNCTIONS.has(t.text.toLowerCase()) && this.tokens[this.#i + 1]?.type === "punct") {
      this.#i++;
      this.#expectPunct("(");
      const field = this.#field();
      this.#expectPunct(",");
      const value = this.#peek();
      if (value?.type !== "string") throw new FilterSyntaxError(`${t.text}() takes a quoted string at position ${this.#at()}`, this.#at());
      this.#i++;
      this.#expectPunct(")");
      return { kind: "call", fn: t.text.toLowerCase() as "contains", field, value: value.text };
    }
    const field = this.#field();
    const op = this.#peek();
    if (op?.type !== "word") throw new FilterSyntaxError(`expected an operator after "${field.join("/")}" at position ${this.#at()}, found ${describe(op)}`, this.#at());
    const name = op.text.toLowerCase();
    if (name === "in") {
      this.#i++;
      this.#expectPunct("(");
      const values = [this.#literal()];
      while (this.#peek()?.type === "punct" && (this.#peek() as { text: string }).text === ",") {
        this.#i++;
        values.push(this.#literal());
      }
      this.#expectPunct(")");
      return { kind: "in", field, values };
    }
    if (!COMPARE.has(name)) throw new FilterSyntaxError(`unknown operator "${op.text}" at position ${op.at}; use eq, ne, gt, ge, lt, le or in`, op.at);
    this.#i++;
    return { kind: "compare", op: name as "eq", field, value: this.#literal() };
  }
  #field(): string[] {
    const t = this.#peek();
    if (t?.type !== "word" || !FIELD.test(t.text)) throw new FilterSyntaxError(`expected a property name at position ${this.#at()}, found ${describe(t)}`, this.#at());
    this.#i++;
    return t.text.split("/");
  }
  #literal(): Literal {
    const t = this.#peek();
    if (t === undefined) throw new FilterSyntaxError(`expected a value at position ${this.length}, found the end of the filter`, this.length);
    this.#i++;
    if (t.type === "string") return t.text;
    if (t.type === "number") return t.value;
    if (t.type === "word") {
      const w = t.text.toLowerCase();
      if (w === "true") return true;
      if (w === "false") return false;
      if (w === "null") return null;
      // Unquoted timestamps, as OData writes them: 2024-01-01T00:00:00Z.
      if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(t.text)) return t.text;
    }
    throw new FilterSyntaxError(`expected a value at position ${t.at}, found ${describe(t)}; quote strings as 'text'`, t.at);
  }
}

function describe(t: Token | undefined): string {
  if (t === undefined) return "the end of the filter";
  if (t.type === "string") return `'${t.text}'`;
  if (t.type === "number") return String(t.value);
  return `"${t.text}"`;
}

/** Parses a filter; throws FilterSyntaxError saying where and what is wrong. */
export function parseFilter(text: string): FilterNode {
  return new Parser(tokenize(text), text.length).parse();
}

function lookup(item: unknown, field: readonly string[]): unknown {
  let value: unknown = item;
  for (const part of field) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T/;

/** Orders two values the way comparisons need: numbers numerically, timestamps by instant, else as text. */
export function compareValues(a: unknown, b: Literal): number | undefined {
  if (a === undefined || a === null || b === null) return undefined;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") {
    if (TIMESTAMP.test(a) && TIMESTAMP.test(b)) {
      const x = Date.parse(a);
      const y = Date.parse(b);
      if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return undefined;
}

function equals(a: unknown, b: Literal): boolean {
  if (b === null) return a === null || a === undefined;
  if (Array.isArray(a)) return a.some((x) => equals(x, b));
  return compareValues(a, b) === 0;
}

/** Whether `item` matches `node`. A missing property matches only `eq null` / `ne <value>`. */
export function matches(node: FilterNode, item: unknown): boolean {
  switch (node.kind) {
    case "and":
      return matches(node.left, item) && matches(node.right, item);
    case "or":
      return matches(node.left, item) || matches(node.right, item);
    case "not":
      return !matches(node.operand, item);
    case "in": {
      const value = lookup(item, node.field);
      return node.values.some((v) => equals(value, v));
    }
    case "call": {
      const value = lookup(item, node.field);
      if (typeof value !== "string") return false;
      if (node.fn === "contains") return value.includes(node.value);
      return node.fn === "startswith" ? value.startsWith(node.value) : value.endsWith(node.value);
    }
    case "compare": {
      const value = lookup(item, node.field);
      if (node.op === "eq") return equals(value, node.value);
      if (node.op === "ne") return !equals(value, node.value);
      const order = compareValues(value, node.value);
      if (order === undefined) return false;
      return node.op === "gt" ? order > 0 : node.op === "ge" ? order >= 0 : node.op === "lt" ? order < 0 : order <= 0;
    }
  }
}

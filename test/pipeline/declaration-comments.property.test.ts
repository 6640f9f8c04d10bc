// The built declarations of the generated types carry no comments and no indentation
// (scripts/lib/declaration-comments.ts), and nothing else of them changes: property names and string
// literal types that look like comments survive, a template literal type spanning lines keeps its
// blanks, and the declarations parse to the same tree.
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { withoutComments, withoutIndentation } from "../../scripts/lib/declaration-comments.js";

/** Every comment in `text`, found by TypeScript's own scanner. */
function comments(text: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const found: string[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) found.push(scanner.getTokenText());
  }
  return found;
}

const noComments = ts.createPrinter({ removeComments: true });
const tree = (text: string) => noComments.printFile(ts.createSourceFile("t.d.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));

// Prose as the documents write it, and names and literals that look like comments.
const prose = fc.oneof(fc.constantFrom("List all alerts", "| a | b |\n|---|---|", "@description x\n\n**bold**", "see https://example.com/a//b", "`/* not code */`", ""), fc.string({ maxLength: 20 }));
const name = fc.oneof(fc.constantFrom("id", "/* x */", "// y", "a*/b", "https://host/path", "*"), fc.string({ maxLength: 8 }));
const member = fc.record({ doc: fc.option(prose, { nil: undefined }), name, optional: fc.boolean(), literal: fc.option(name, { nil: undefined }), trailing: fc.option(prose, { nil: undefined }) });
const declarations = fc.array(member, { minLength: 1, maxLength: 6 }).map((members) => {
  const block = (text: string) => `/**\n${text.split("\n").map((line) => ` * ${line.replace(/\*\//g, "*\\/")}`).join("\n")}\n */`;
  const lines = ["/** The document's paths. */", "export interface paths {"];
  members.forEach((m, i) => {
    if (m.doc !== undefined) lines.push(block(m.doc));
    const type = m.literal === undefined ? "string" : JSON.stringify(m.literal);
    const trailing = m.trailing === undefined ? "" : ` // ${m.trailing.replace(/[\r\n\u2028\u2029]/g, " ")}`;
    lines.push(`    ${JSON.stringify(`${m.name}${i}`)}${m.optional ? "?" : ""}: ${type};${trailing}`);
  });
  lines.push("}", "// trailing remark", "export {};", "");
  return lines.join("\n");
});

describe("withoutComments", () => {
  it("drops every comment and keeps every declaration", () => {
    fc.assert(
      fc.property(declarations, (text) => {
        const stripped = withoutComments("x.d.ts", text);
        expect(comments(stripped)).toEqual([]);
        expect(tree(stripped)).toBe(tree(text));
      }),
      { numRuns: 200 },
    );
  });

  it("keeps names and literal types that look like comments", () => {
    const stripped = withoutComments("x.d.ts", '/** Docs. */\nexport interface paths {\n    /** Prose. */\n    "/* a */": "// b"; // note\n}\n');
    expect(stripped).toBe('export interface paths {\n    "/* a */": "// b";\n}\n');
  });
});

// Nested type literals, indented as the printer writes them, with literal types whose text holds line
// breaks and blanks: string literals (escaped) and template literal types (raw, with or without a hole).
const literalText = fc.stringMatching(/^[a-z \n]{0,12}$/);
const leaf = fc.oneof(
  fc.constant("string"),
  literalText.map((t) => JSON.stringify(t)),
  literalText.map((t) => `\`${t}\``),
  fc.tuple(literalText, literalText).map(([a, b]) => `\`${a}\${string}${b}\``),
);
type Shape = string | Shape[];
const shape: fc.Arbitrary<Shape> = fc.letrec<{ node: Shape }>((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("node"), { minLength: 1, maxLength: 3 })),
})).node;
function render(node: Shape, depth: number): string {
  if (typeof node === "string") return node;
  const pad = "    ".repeat(depth + 1);
  return `{\n${node.map((child, i) => `${pad}m${i}: ${render(child, depth + 1)};`).join("\n")}\n${"    ".repeat(depth)}}`;
}
const indented = shape.map((node) => `export type T = ${render(node, 0)};\nexport interface paths {\n    "/a": T;\n}\n`);

describe("withoutIndentation", () => {
  it("parses to the same declarations, and drops every indentation unless a template literal type spans lines", () => {
    fc.assert(
      fc.property(indented, (text) => {
        const flat = withoutIndentation("x.d.ts", text);
        expect(tree(flat)).toBe(tree(text));
        const multiLineTemplate = /`[^`]*\n[^`]*`/.test(text);
        if (!multiLineTemplate) expect(flat).not.toMatch(/^[ \t]/m);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a template literal type's blanks on its later lines", () => {
    const text = "export type A = `a${string}\n    b`;\nexport interface X {\n    a: string;\n}\n";
    expect(withoutIndentation("x.d.ts", text)).toBe(text);
    expect(withoutIndentation("x.d.ts", "export interface X {\n    a: {\n        b: `x`;\n    };\n}\n")).toBe("export interface X {\na: {\nb: `x`;\n};\n}\n");
  });
});

// The built declarations of the generated types carry no comments (scripts/lib/declaration-comments.ts),
// and nothing else of them changes: property names and string literal types that look like comments
// survive, and the declarations parse to the same tree.
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { withoutComments } from "../../scripts/lib/declaration-comments.js";

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

/**
 * The built declarations of the generated types carry no comments. Their
 * comments are the documents' prose (descriptions, tables, examples), most of
 * the bytes of every service's declarations; TypeScript reads every declaration
 * file a program reaches, and the package root reaches every service's, so a
 * program importing the root scans all of that prose for the one service it
 * calls. The types are the same types; the prose stays in HPE's documents.
 * For the same reason they carry no indentation, about a third of what is
 * left; the text parses to the same declarations (checked as it is written).
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const printer = ts.createPrinter({ removeComments: true });

/** One declaration file's text without comments; the declarations themselves as written. */
export function withoutComments(fileName: string, text: string): string {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return printer.printFile(source);
}

/**
 * The same declarations with no indentation. A line's leading blanks belong
 * to no declaration except inside a multi-line template literal type; when
 * dropping them changes what the text parses to, it is kept as it is.
 */
export function withoutIndentation(fileName: string, text: string): string {
  const flat = text.replace(/^[ \t]+/gm, "");
  if (flat === text) return text;
  const parsed = (t: string) => printer.printFile(ts.createSourceFile(fileName, t, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return parsed(flat) === parsed(text) ? flat : text;
}

/** Rewrites every `.d.ts` directly in `dir` without comments or indentation; returns the bytes before and after. */
export function stripDeclarationComments(dir: string): { before: number; after: number } {
  let before = 0;
  let after = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".d.ts")) continue;
    const path = join(dir, name);
    const text = readFileSync(path, "utf8");
    const stripped = withoutIndentation(name, withoutComments(name, text));
    before += Buffer.byteLength(text);
    after += Buffer.byteLength(stripped);
    writeFileSync(path, stripped);
  }
  return { before, after };
}

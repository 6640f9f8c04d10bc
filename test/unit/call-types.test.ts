import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const fixture = join(root, "test/unit/type-fixtures/call-options.ts");
// The same source without its directives, beside it so its imports resolve the same way.
const bare = fixture.replace(/\.ts$/, ".bare.ts");

const DIRECTIVE = /\/\/ @ts-expect-error (.+)$/;

interface Compiled {
  /** Errors in the fixture as written: none, or a directive no longer meets an error. */
  fixture: string[];
  /** Per line of the bare copy (1-based), its error messages. */
  bare: Map<number, string[]>;
  /** The text each directive names, by the line (1-based) it covers. */
  expected: Map<number, string>;
}

/** One compiler run over both files with the repository's own settings. */
function compile(): Compiled {
  const source = readFileSync(fixture, "utf8");
  const lines = source.split("\n");
  const expected = new Map<number, string>();
  lines.forEach((line, i) => {
    const named = DIRECTIVE.exec(line)?.[1];
    if (named !== undefined) expected.set(i + 2, named.trim());
  });
  // Line numbers stay the same: each directive becomes an empty comment.
  const bareSource = lines.map((line) => line.replace(DIRECTIVE, "//")).join("\n");

  const { config } = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === bare ? ts.createSourceFile(name, bareSource, language) : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === bare || fileExists.call(host, name);
  host.readFile = (name) => (name === bare ? bareSource : readFile.call(host, name));
  const program = ts.createProgram([fixture, bare], { ...options, noEmit: true }, host);

  const out: Compiled = { fixture: [], bare: new Map(), expected };
  // Only the two files are checked; what they import is read for its types, not checked again (tsc does that).
  const diagnostics = [fixture, bare].flatMap((name) => {
    const file = program.getSourceFile(name)!;
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  });
  for (const d of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...diagnostics]) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) {
      out.fixture.push(text);
      continue;
    }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line + 1;
    if (d.file.fileName === bare) out.bare.set(line, [...(out.bare.get(line) ?? []), text]);
    else out.fixture.push(`${d.file.fileName}:${line}: ${text}`);
  }
  return out;
}

describe("call types", () => {
  it("reject misspelt call options, params keys and body fields, accept the documented RequestInit keys, and keep inference", () => {
    const compiled = compile();
    expect(compiled.fixture).toEqual([]);
    expect(compiled.expected.size).toBeGreaterThan(10);
    // Each marked line fails for the reason its directive names, and no other line fails.
    const failing = [...compiled.bare].sort(([a], [b]) => a - b).map(([line, messages]) => {
      const named = compiled.expected.get(line);
      return { line, named, ok: named !== undefined && messages.some((m) => m.includes(named)), messages };
    });
    expect(failing.filter((f) => !f.ok)).toEqual([]);
    expect(failing.map((f) => f.line)).toEqual([...compiled.expected.keys()]);
  }, 300_000);
});

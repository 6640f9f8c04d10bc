/**
 * Property-based tests of glp's output formats: any JSON value, written
 * whole or streamed in arbitrary page splits, parses back to itself from
 * json, jsonl and yaml; CSV cells survive any text; tables fit the width.
 */
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { csvField, itemWriter, loadYaml, writeValue, type WriterOptions } from "../../src/cli/output.js";
import { fitWidths, renderRows } from "../../src/cli/table.js";
import { visible } from "../../src/cli/terminal-text.js";

function sink(): { write(t: string): void; text(): string } {
  let text = "";
  return { write: (t) => void (text += t), text: () => text };
}

/** RFC 4180 reader, to check what the writer produced. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(field), (field = "");
    // Readers differ on a bare CR or LF; any of them ends a row unless quoted.
    else if (ch === "\r" || ch === "\n") row.push(field), rows.push(row), (row = []), (field = ""), (i += ch === "\r" && text[i + 1] === "\n" ? 1 : 0);
    else field += ch;
  }
  if (field !== "" || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

/** Splits items into consecutive pages of random sizes. */
const paged = <T>(items: T[], cuts: number[]): T[][] => {
  const pages: T[][] = [];
  let at = 0;
  for (const cut of cuts) {
    if (at >= items.length) break;
    pages.push(items.slice(at, at + 1 + (cut % 5)));
    at += 1 + (cut % 5);
  }
  if (at < items.length) pages.push(items.slice(at));
  return pages;
};

const opts = (format: WriterOptions["format"]): WriterOptions => ({ format, width: 80 });
// -0 has no JSON spelling distinct from 0.
const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe("glp output formats (property-based)", () => {
  beforeAll(loadYaml);

  it("json, jsonl and yaml give back any single value", () => {
    fc.assert(
      fc.property(json, (value) => {
        for (const format of ["json", "jsonl", "yaml"] as const) {
          const out = sink();
          writeValue(out, value, opts(format));
          const back = format === "yaml" ? parseYaml(out.text()) : JSON.parse(out.text());
          expect(back, format).toEqual(value);
          if (format === "jsonl") expect(out.text().trimEnd().split("\n")).toHaveLength(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a listing streamed in any page split parses back to its items", () => {
    fc.assert(
      fc.property(fc.array(json, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (items, cuts) => {
        for (const format of ["json", "jsonl", "yaml"] as const) {
          const out = sink();
          const writer = itemWriter(out, opts(format));
          for (const page of paged(items, cuts)) writer.items(page);
          writer.end();
          const text = out.text();
          const back = format === "json" ? JSON.parse(text) : format === "yaml" ? parseYaml(text) : text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as unknown);
          expect(back, `${format}: ${text}`).toEqual(items);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("csv cells hold any text (controls shown escaped, formulas quoted), and columns reach into nested objects", () => {
    const text = fc.string({ unit: "binary" });
    fc.assert(
      fc.property(fc.array(fc.record({ a: text, b: fc.record({ c: text }) }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (rows, cuts) => {
        const out = sink();
        const writer = itemWriter(out, { format: "csv", columns: ["a", "b.c"], width: 80 });
        for (const page of paged(rows, cuts)) writer.items(page);
        writer.end();
        // What a cell reads back as: the text with control characters escaped, and a formula behind a leading quote.
        const number = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
        const cell = (t: string) => (/^\s*[=+\-@\t\r]/.test(t) && !number.test(t) ? `'${visible(t)}` : visible(t));
        expect(parseCsv(out.text())).toEqual([["a", "b.c"], ...rows.map((r) => [cell(r.a), cell(r.b.c)])]);
      }),
      { numRuns: 300 },
    );
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
  });

  it("tables never exceed the terminal width, and each row is one line", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: "binary", maxLength: 60 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 20, max: 200 }),
        (rows, width) => {
          const header = ["ID", "NAME", "STATE"];
          const out = sink();
          const writer = itemWriter(out, { format: "table", columns: ["id", "name", "state"], width });
          writer.items(rows.map(([id, name, state]) => ({ id, name, state })));
          writer.end();
          const lines = out.text().split("\n").slice(0, -1);
          expect(lines).toHaveLength(rows.length + 1);
          for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
          expect(lines[0]!.startsWith("ID")).toBe(true);
          expect(renderRows([header], fitWidths([header], width))).toContain("NAME");
        },
      ),
      { numRuns: 300 },
    );
  });
});

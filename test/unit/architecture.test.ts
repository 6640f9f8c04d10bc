/** docs/ARCHITECTURE.md's map is true: every file it names exists and holds the symbols its row names. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const doc = readFileSync(`${root}docs/ARCHITECTURE.md`, "utf8");

interface Row {
  behaviour: string;
  file: string;
  symbols: string[];
}

function rows(): Row[] {
  const section = doc.slice(doc.indexOf("## Where behaviour X lives"));
  const out: Row[] = [];
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 4 || cells[1] === "Behaviour" || cells[1]?.startsWith("---")) continue;
    const file = /`([^`]+)`/.exec(cells[2] ?? "")?.[1];
    if (file === undefined) continue;
    out.push({ behaviour: cells[1]!, file, symbols: [...(cells[3] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!) });
  }
  return out;
}

describe("docs/ARCHITECTURE.md", () => {
  const table = rows();

  it("names files in its behaviour table", () => {
    expect(table.length).toBeGreaterThan(30);
  });

  it.each(table.map((r) => [r.file, r] as const))("%s exists and holds the symbols named for it", (_file, row) => {
    const path = `${root}${row.file}`;
    expect(existsSync(path), `${row.file} (${row.behaviour})`).toBe(true);
    if (statSync(path).isDirectory()) return;
    const source = readFileSync(path, "utf8");
    for (const symbol of row.symbols) {
      // Declared (or re-exported) there, not merely mentioned.
      const declared = new RegExp(`export\\s+(?:declare\\s+)?(?:async\\s+)?(?:function\\*?|class|const|let|interface|type|abstract\\s+class)\\s+${symbol}\\b|export\\s*\\{[^}]*\\b${symbol}\\b[^}]*\\}`);
      expect(declared.test(source), `${symbol} in ${row.file}`).toBe(true);
    }
  });

  it("names every step file of the pipeline, in the order pipeline.ts lists them", () => {
    const pipeline = readFileSync(`${root}src/internal/pipeline/pipeline.ts`, "utf8");
    const listed = [...pipeline.matchAll(/^\s+(?:o\.\w+ && |o\.log\.debugEnabled && )?(\w+)Step\b/gm)].map((m) => m[1]);
    const documented = [...doc.slice(doc.indexOf("## One call, top to bottom")).matchAll(/^\d+\. `(\w+)\.ts`/gm)].map((m) => m[1]);
    expect(documented.slice(0, -1)).toEqual(listed);
    for (const name of documented) expect(existsSync(`${root}src/internal/pipeline/${name}.ts`), `${name}.ts`).toBe(true);
  });
});

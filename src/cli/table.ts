/** Plain-text tables that fit the terminal: widest columns shrink first, cut cells end in "…". */
import { oneLine } from "./terminal-text.js";

export function cellText(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // One line per row: line breaks become spaces, other control characters are shown escaped.
  return oneLine(text);
}

function clip(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text + " ".repeat(width - chars.length);
  return width <= 1 ? chars.slice(0, width).join("") : `${chars.slice(0, width - 1).join("")}…`;
}

const GAP = 2;
const MIN_WIDTH = 3;

/** Column widths for `rows` (header first) within `maxWidth` characters. */
export function fitWidths(rows: readonly (readonly string[])[], maxWidth: number): number[] {
  const columns = rows[0]?.length ?? 0;
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => [...(r[c] ?? "")].length)));
  const budget = Math.max(maxWidth - GAP * (columns - 1), columns * MIN_WIDTH);
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let widest = 0;
    for (let c = 1; c < columns; c++) if (widths[c]! > widths[widest]!) widest = c;
    if (widths[widest]! <= MIN_WIDTH) break;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/**
 * Room for later pages of a streamed table, whose cells may be longer than the
 * first page's: each column may grow by half, from the last one back, within the width.
 */
export function withSlack(widths: readonly number[], maxWidth: number): number[] {
  const out = [...widths];
  let spare = maxWidth - out.reduce((a, b) => a + b, 0) - GAP * (out.length - 1);
  for (let c = out.length - 1; c >= 0 && spare > 0; c--) {
    const add = Math.min(Math.ceil(out[c]! / 2), spare);
    out[c]! += add;
    spare -= add;
  }
  return out;
}

export function renderRows(rows: readonly (readonly string[])[], widths: readonly number[]): string {
  return rows.map((row) => widths.map((w, c) => clip(row[c] ?? "", w)).join(" ".repeat(GAP)).trimEnd()).join("\n") + (rows.length > 0 ? "\n" : "");
}

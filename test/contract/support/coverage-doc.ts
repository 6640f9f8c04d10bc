/**
 * The generated part of docs/contract-coverage.md: what Prism cannot serve and
 * which upstream schema defects the suite tolerates, from upstream-defects.ts.
 *
 * Usage: npx tsx test/contract/support/coverage-doc.ts --write
 */
import { readFileSync, writeFileSync } from "node:fs";
import { upstreamDefects } from "./upstream-defects.js";

export const COVERAGE_DOC = "docs/contract-coverage.md";
const START = "<!-- upstream-defects:start (generated from test/contract/support/upstream-defects.ts) -->";
const END = "<!-- upstream-defects:end -->";

export function renderDefects(): string {
  const entries = Object.entries(upstreamDefects);
  const section = (kind: "unservable" | "response") =>
    entries
      .filter(([, d]) => d.kind === kind)
      .map(([operation, d]) => `- \`${operation}\`: ${d.reason}.`)
      .join("\n");
  return [
    START,
    "",
    "### Operations Prism cannot serve",
    "",
    section("unservable"),
    "",
    "### Operations served with a tolerated response-schema defect",
    "",
    "Prism accepts the request, but even the answer it generates from the response",
    "schema breaks that schema. Only problems at the named places are tolerated.",
    "",
    section("response"),
    "",
    END,
  ].join("\n");
}

/** The generated section as it stands in the document, or undefined when the markers are missing. */
export function documentedDefects(text: string): string | undefined {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  return start < 0 || end < start ? undefined : text.slice(start, end + END.length);
}

if (process.argv.includes("--write")) {
  const text = readFileSync(COVERAGE_DOC, "utf8");
  const current = documentedDefects(text);
  writeFileSync(COVERAGE_DOC, current === undefined ? `${text.trimEnd()}\n\n${renderDefects()}\n` : text.replace(current, renderDefects()));
}

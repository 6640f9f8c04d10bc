import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { COVERAGE_DOC, documentedDefects, renderDefects } from "./support/coverage-doc.js";

it("docs/contract-coverage.md lists exactly the upstream defects the suite tolerates", () => {
  // Regenerate with: npx tsx test/contract/support/coverage-doc.ts --write
  expect(documentedDefects(readFileSync(COVERAGE_DOC, "utf8"))).toBe(renderDefects());
});

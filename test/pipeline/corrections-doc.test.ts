import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { CORRECTIONS_DOC, renderCorrectionsDoc } from "../../scripts/lib/corrections-doc.js";
import { defaultManifestPath } from "../../scripts/lib/paths.js";
import { corrections } from "../../src/specs/corrections.js";
import { parseManifest } from "../../src/specs/manifest.js";

const manifest = parseManifest(JSON.parse(readFileSync(defaultManifestPath, "utf8")) as unknown);

it("docs/corrections.md is generated from the corrections as they stand", () => {
  // Regenerate with: npx tsx scripts/lib/corrections-doc.ts --write
  expect(readFileSync(CORRECTIONS_DOC, "utf8")).toBe(renderCorrectionsDoc(corrections, manifest));
});

it("every correction that follows HPE's clients names the document's place and at least one client line", () => {
  const fromClients = corrections.filter((c) => c.sources !== undefined);
  expect(fromClients.length).toBeGreaterThanOrEqual(5);
  for (const c of fromClients) {
    expect(c.sources!.document).toMatch(/^[a-z-]+: /);
    expect(c.sources!.clients.length).toBeGreaterThan(0);
    for (const client of c.sources!.clients) {
      expect(client.repository).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(client.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(client.lines.length).toBeGreaterThan(0);
    }
  }
});

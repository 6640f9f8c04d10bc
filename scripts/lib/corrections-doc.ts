/**
 * docs/corrections.md, generated from src/specs/corrections.ts: how many
 * corrections touch each service, and each one with its reason and, where it
 * follows HPE's own clients rather than the document, its sources.
 *
 * Usage: npx tsx scripts/lib/corrections-doc.ts --write
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Correction } from "../../src/specs/apply-corrections.js";
import { corrections } from "../../src/specs/corrections.js";
import { documentsByService, parseManifest, type Manifest } from "../../src/specs/manifest.js";
import { defaultManifestPath, projectRoot } from "./paths.js";

export const CORRECTIONS_DOC = join(projectRoot, "docs", "corrections.md");

function servicesOf(correction: Correction, byDocument: ReadonlyMap<string, string>): string[] {
  if (correction.documents === "all") return ["(every service)"];
  return [...new Set(correction.documents.map((key) => byDocument.get(key) ?? key))].sort();
}

export function renderCorrectionsDoc(list: readonly Correction[], manifest: Manifest): string {
  const byDocument = new Map<string, string>();
  for (const [service, sources] of documentsByService(manifest)) for (const source of sources) byDocument.set(source.key, service);
  const counts = new Map<string, { all: number; fromClients: number }>();
  for (const correction of list) {
    for (const service of servicesOf(correction, byDocument)) {
      const count = counts.get(service) ?? { all: 0, fromClients: 0 };
      count.all++;
      if (correction.sources !== undefined) count.fromClients++;
      counts.set(service, count);
    }
  }
  const fromClients = list.filter((c) => c.sources !== undefined);
  const lines = [
    "# Corrections of HPE's documents",
    "",
    "<!-- Generated from src/specs/corrections.ts by `npx tsx scripts/lib/corrections-doc.ts --write`; a test checks it is current. -->",
    "",
    "The SDK's types, metadata and mocks come from HPE's OpenAPI documents after",
    "the corrections in `src/specs/corrections.ts` (applied to a copy at generate",
    "time; the pinned documents stay as published). Most fix defects of the",
    "documents themselves. Some follow HPE's own public clients where they send",
    "requests the document does not describe: when HPE's production client and",
    "HPE's document disagree, the types and the mocks accept what the client",
    "sends, and the SDK sends what the client sends (see docs/runtime.md for the",
    "wire forms and how to choose the other one per call).",
    "",
    `${list.length} corrections, ${fromClients.length} of them following HPE's own clients.`,
    "",
    "| Service | Corrections | Following HPE's clients |",
    "| --- | --- | --- |",
    ...[...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([service, c]) => `| ${service} | ${c.all} | ${c.fromClients} |`),
    "",
    "## Following HPE's own clients",
    "",
  ];
  for (const correction of fromClients) {
    const sources = correction.sources!;
    lines.push(`- **${servicesOf(correction, byDocument).join(", ")}**: ${correction.reason}`);
    lines.push(`  - Document: ${sources.document}.`);
    for (const client of sources.clients) {
      const where = client.lines.map((n) => `L${n}`).join(", ");
      lines.push(`  - Client: \`${client.repository}\` \`${client.file}\` ${where} (commit ${client.commit.slice(0, 12)}): ${client.shows}.`);
    }
  }
  lines.push("", "## Defects of the documents", "");
  for (const correction of list.filter((c) => c.sources === undefined)) lines.push(`- **${servicesOf(correction, byDocument).join(", ")}**: ${correction.reason}`);
  lines.push("");
  return lines.join("\n");
}

if (process.argv.includes("--write")) {
  const manifest = parseManifest(JSON.parse(readFileSync(defaultManifestPath, "utf8")) as unknown, defaultManifestPath);
  writeFileSync(CORRECTIONS_DOC, renderCorrectionsDoc(corrections, manifest));
}

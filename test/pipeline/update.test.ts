import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { documentHash } from "../../src/specs/canonical.js";
import { compareDocuments } from "../../scripts/lib/changelog.js";
import { fetchDocuments } from "../../src/specs/fetch-documents.js";
import { loadManifest } from "../../src/specs/manifest.js";
import type { OpenApiDocument } from "../../src/specs/openapi.js";
import { formatChangelog, updateDocuments } from "../../scripts/lib/update-documents.js";
import { gadgetsDocument, runScript, widgetsDocument, workspace } from "./helpers.js";

/** Version 2 of the widgets document: one of each kind of change. */
function widgetsV2(): OpenApiDocument {
  const doc = widgetsDocument() as any;
  delete doc.paths["/widgets/v1/widgets/{id}"].delete; // removed operation
  doc.paths["/widgets/v1/widgets/{id}"].get.deprecated = true; // newly deprecated
  doc.paths["/widgets/v1/widgets/{id}"].patch = { operationId: "updateWidget", responses: { "200": { description: "ok" } } }; // added
  doc.paths["/widgets/v1/widgets"].get.parameters.push({ name: "region", in: "query", required: true, schema: { type: "string" } });
  doc.components.schemas.WidgetCreate.required.push("color"); // new required body field
  doc.components.schemas.WidgetCreate.properties.color.enum = ["red", "green"]; // narrowed enum
  delete doc.components.schemas.Widget.properties.name; // removed response field
  doc.components.schemas.Widget.properties.size.type = "string"; // changed type
  doc.info.description = "prose changes alone are not listed";
  return doc;
}

describe("compareDocuments", () => {
  it("lists added, removed and newly deprecated operations and each breaking change", () => {
    const changes = compareDocuments(widgetsDocument(), widgetsV2());
    expect(changes.added).toEqual(["PATCH /widgets/v1/widgets/{id}"]);
    expect(changes.removed).toEqual(["DELETE /widgets/v1/widgets/{id}"]);
    expect(changes.deprecated).toEqual(["GET /widgets/v1/widgets/{id}"]);
    expect(changes.breaking).toEqual([
      "GET /widgets/v1/widgets/{id}: response field name removed",
      "GET /widgets/v1/widgets/{id}: response field size type changed from integer to string",
      "GET /widgets/v1/widgets: new required query parameter region",
      "GET /widgets/v1/widgets: response field items[].name removed",
      "GET /widgets/v1/widgets: response field items[].size type changed from integer to string",
      "POST /widgets/v1/widgets: body field color enum no longer accepts \"blue\"",
      "POST /widgets/v1/widgets: new required body field color",
      "POST /widgets/v1/widgets: response field name removed",
      "POST /widgets/v1/widgets: response field size type changed from integer to string",
    ]);
  });

  it("finds nothing between a document and a reformatted copy of it", () => {
    const changes = compareDocuments(widgetsDocument(), JSON.parse(JSON.stringify(widgetsDocument())));
    expect(changes).toEqual({ added: [], removed: [], deprecated: [], breaking: [] });
  });

  it("does not call additions breaking: optional parameters, response fields, wider enums", () => {
    const doc = widgetsDocument() as any;
    doc.paths["/widgets/v1/widgets"].get.parameters.push({ name: "sort", in: "query", schema: { type: "string" } });
    doc.components.schemas.Widget.properties.weight = { type: "number" };
    doc.components.schemas.WidgetCreate.properties.color.enum.push("yellow");
    expect(compareDocuments(widgetsDocument(), doc).breaking).toEqual([]);
  });

  it("survives recursive schemas", () => {
    const make = (extra: boolean) => {
      const doc = widgetsDocument() as any;
      doc.components.schemas.Widget.properties.parent = { $ref: "#/components/schemas/Widget" };
      if (extra) delete doc.components.schemas.Widget.properties.color;
      return doc;
    };
    expect(compareDocuments(make(false), make(true)).breaking).toContain("GET /widgets/v1/widgets/{id}: response field color removed");
  });
});

describe("updateDocuments", () => {
  it("re-pins a changed document, writes it, and describes the change per service", async () => {
    const ws = await workspace({ widgets: { service: "widgets", document: widgetsDocument() }, gadgets: { service: "widgets", document: gadgetsDocument() } });
    await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    await writeFile(join(ws.mirrorDir, "widgets.json"), JSON.stringify(widgetsV2()));

    const report = await updateDocuments({ manifest: ws.manifest, manifestPath: ws.manifestPath, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    expect(report.unchanged).toEqual(["gadgets"]);
    expect(report.updates.map((u) => [u.key, u.newHash])).toEqual([["widgets", documentHash(widgetsV2())]]);
    const saved = await loadManifest(ws.manifestPath);
    expect(saved.documents.find((d) => d.key === "widgets")!.sha256).toBe(documentHash(widgetsV2()));
    expect(saved.documents.find((d) => d.key === "gadgets")!.sha256).toBe(documentHash(gadgetsDocument()));
    expect(JSON.parse(await readFile(join(ws.specsDir, "widgets.json"), "utf8"))).toEqual(widgetsV2());

    const changelog = formatChangelog(report.updates);
    expect(changelog).toContain("## widgets\n### widgets (");
    expect(changelog).toContain("- added: PATCH /widgets/v1/widgets/{id}");
    expect(changelog).toContain("- removed (breaking): DELETE /widgets/v1/widgets/{id}");
    expect(changelog).toContain("- deprecated: GET /widgets/v1/widgets/{id}");
    expect(changelog).toContain("- breaking: POST /widgets/v1/widgets: new required body field color");

    // The re-pinned document now verifies, so a plain fetch has nothing to do.
    const again = await fetchDocuments({ manifest: saved, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    expect(again.present).toEqual(["gadgets", "widgets"]);
  });

  it("keeps the pin and the file of a document that fails to fetch", async () => {
    const ws = await workspace({ widgets: { service: "widgets", document: widgetsDocument() } });
    await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    const manifestBefore = await readFile(ws.manifestPath);
    const fileBefore = await readFile(join(ws.specsDir, "widgets.json"));
    await writeFile(join(ws.mirrorDir, "widgets.json"), "{ broken");
    const report = await updateDocuments({ manifest: ws.manifest, manifestPath: ws.manifestPath, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    expect(report.failures.map((f) => f.message)).toEqual([expect.stringMatching(/^widgets: invalid JSON/)]);
    expect(await readFile(ws.manifestPath)).toEqual(manifestBefore);
    expect(await readFile(join(ws.specsDir, "widgets.json"))).toEqual(fileBefore);
  });

  it("says when there is no previous version to compare with", async () => {
    const ws = await workspace({ widgets: { service: "widgets", document: widgetsDocument() } });
    await writeFile(join(ws.mirrorDir, "widgets.json"), JSON.stringify(widgetsV2()));
    const report = await updateDocuments({ manifest: ws.manifest, manifestPath: ws.manifestPath, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    expect(formatChangelog(report.updates)).toContain("previous version not in specs/");
  });
});

describe("npm run specs:update", () => {
  it("prints the changelog and re-pins", async () => {
    const ws = await workspace({ widgets: { service: "widgets", document: widgetsDocument() } });
    await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    await writeFile(join(ws.mirrorDir, "widgets.json"), JSON.stringify(widgetsV2()));
    const result = await runScript("update-specs.ts", ["--manifest", ws.manifestPath, "--specs-dir", ws.specsDir], { GREENLAKE_SPECS_MIRROR: ws.mirrorDir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("- removed (breaking): DELETE /widgets/v1/widgets/{id}");
    expect(result.stdout).toContain("specs:update: 1 re-pinned, 0 unchanged, 0 failed");
    expect((await loadManifest(ws.manifestPath)).documents[0]!.sha256).toBe(documentHash(widgetsV2()));
  });
});

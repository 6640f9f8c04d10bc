import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { documentHash } from "../../src/specs/canonical.js";
import { fetchDocuments } from "../../src/specs/fetch-documents.js";
import { serializeManifest } from "../../src/specs/manifest.js";
import { closedPort, runScript, serve, widgetsDocument, gadgetsDocument, workspace } from "./helpers.js";

const docs = () => ({ widgets: { service: "widgets", document: widgetsDocument() }, gadgets: { service: "widgets", document: gadgetsDocument() } });

/** Fetch once from the mirror so specs/ holds good copies; returns their bytes. */
async function withGoodCopies() {
  const ws = await workspace(docs());
  const first = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
  expect(first.failures).toEqual([]);
  const good = await readFile(join(ws.specsDir, "widgets.json"));
  return { ws, good };
}

describe("fetchDocuments from a mirror", () => {
  it("copies every pinned document byte for byte", async () => {
    const ws = await workspace(docs());
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    expect(report).toEqual({ fetched: ["gadgets", "widgets"], present: [], failures: [] });
    for (const key of ["widgets", "gadgets"]) {
      expect(await readFile(join(ws.specsDir, `${key}.json`))).toEqual(await readFile(join(ws.mirrorDir, `${key}.json`)));
    }
  });

  it("skips documents already present and verified, whatever their formatting", async () => {
    const { ws } = await withGoodCopies();
    await writeFile(join(ws.specsDir, "widgets.json"), JSON.stringify(widgetsDocument()));
    await writeFile(join(ws.mirrorDir, "widgets.json"), "not even json");
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    expect(report).toEqual({ fetched: [], present: ["gadgets", "widgets"], failures: [] });
  });

  it("replaces a stale copy with the pinned version", async () => {
    const { ws, good } = await withGoodCopies();
    await writeFile(join(ws.specsDir, "widgets.json"), JSON.stringify({ ...widgetsDocument(), openapi: "3.0.0" }));
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    expect(report.fetched).toEqual(["widgets"]);
    expect(await readFile(join(ws.specsDir, "widgets.json"))).toEqual(good);
  });

  // The pin moved to a new version (e.g. after pulling a manifest change) but the mirror is broken.
  const corruptions: [string, (mirror: string) => Promise<void>, RegExp][] = [
    ["a hash mismatch", (m) => writeFile(join(m, "widgets.json"), JSON.stringify({ ...widgetsDocument(), openapi: "3.0.0" })), /^widgets: content hash \w+… does not match the pin \w+… in specs\/sources.json/],
    ["invalid JSON", (m) => writeFile(join(m, "widgets.json"), '{"openapi": "3.1.0",'), /^widgets: invalid JSON/],
    ["a non-object document", (m) => writeFile(join(m, "widgets.json"), "[1, 2]"), /^widgets: invalid document: expected a JSON object$/],
    ["a file missing from the mirror", (m) => rm(join(m, "widgets.json")), /^widgets: missing from the mirror \(no .*widgets\.json\)$/],
  ];
  for (const [name, corrupt, message] of corruptions) {
    it(`reports ${name} in one line and leaves the good copy byte-identical`, async () => {
      const { ws, good } = await withGoodCopies();
      const newVersion = { ...widgetsDocument(), info: { title: "Widgets", version: "2.0.0" } };
      const manifest = { documents: ws.manifest.documents.map((d) => (d.key === "widgets" ? { ...d, sha256: documentHash(newVersion) } : d)) };
      await corrupt(ws.mirrorDir);
      const report = await fetchDocuments({ manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
      expect(report.failures).toHaveLength(1);
      expect(report.failures[0]!.key).toBe("widgets");
      expect(report.failures[0]!.message).toMatch(message);
      expect(report.failures[0]!.message).not.toContain("\n");
      expect(await readFile(join(ws.specsDir, "widgets.json"))).toEqual(good);
      expect(report.present).toEqual(["gadgets"]);
      expect((await readdir(ws.specsDir)).sort()).toEqual(["gadgets.json", "widgets.json"]);
    });
  }

  it("rejects an unknown document key before fetching anything", async () => {
    const ws = await workspace(docs());
    await expect(fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir, keys: ["widgets", "nope"] })).rejects.toThrow(
      'unknown document key "nope"',
    );
    expect(await readdir(ws.specsDir)).toEqual([]);
  });

  it("fetches only the keys asked for", async () => {
    const ws = await workspace(docs());
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir, keys: ["gadgets"] });
    expect(report.fetched).toEqual(["gadgets"]);
    expect(await readdir(ws.specsDir)).toEqual(["gadgets.json"]);
  });
});

describe("fetchDocuments from upstream", () => {
  const quick = { timeoutMs: 300, retries: 1, retryDelayMs: 10 };

  it("downloads each document from its URL", async () => {
    const requests: string[] = [];
    const base = await serve((req, res) => {
      requests.push(req.url!);
      const doc = req.url === "/widgets.json" ? widgetsDocument() : gadgetsDocument();
      res.setHeader("content-type", "application/json").end(JSON.stringify(doc));
    });
    const ws = await workspace(docs(), base);
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, ...quick });
    expect(report.fetched).toEqual(["gadgets", "widgets"]);
    expect(requests.sort()).toEqual(["/gadgets.json", "/widgets.json"]);
    expect(JSON.parse(await readFile(join(ws.specsDir, "widgets.json"), "utf8"))).toEqual(widgetsDocument());
  });

  it("retries a 503 and succeeds", async () => {
    let calls = 0;
    const base = await serve((req, res) => {
      calls++;
      if (calls === 1) res.writeHead(503).end();
      else res.end(JSON.stringify(req.url === "/widgets.json" ? widgetsDocument() : gadgetsDocument()));
    });
    const ws = await workspace({ widgets: docs().widgets }, base);
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, ...quick });
    expect(report.failures).toEqual([]);
    expect(calls).toBe(2);
  });

  it("gives up on a server that keeps failing, saying how often it tried", async () => {
    let calls = 0;
    const base = await serve((_req, res) => {
      calls++;
      res.writeHead(503).end();
    });
    const ws = await workspace({ widgets: docs().widgets }, base);
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, timeoutMs: 300, retries: 2, retryDelayMs: 5 });
    expect(report.failures.map((f) => f.message)).toEqual([`widgets: HTTP 503 from ${base}/widgets.json after 3 attempts`]);
    expect(calls).toBe(3);
  });

  it("reports an HTTP error without retrying a 404, keeping the good copy", async () => {
    const { ws, good } = await withGoodCopies();
    let calls = 0;
    const base = await serve((_req, res) => {
      calls++;
      res.writeHead(404).end("no");
    });
    const manifest = { documents: ws.manifest.documents.map((d) => ({ ...d, url: `${base}/x/${d.key}.json?token=secret`, ...(d.key === "widgets" ? { sha256: "1".repeat(64) } : {}) })) };
    const report = await fetchDocuments({ manifest, specsDir: ws.specsDir, ...quick });
    expect(report.failures.map((f) => f.message)).toEqual([`widgets: HTTP 404 from ${base}/x/widgets.json`]);
    expect(calls).toBe(1);
    expect(await readFile(join(ws.specsDir, "widgets.json"))).toEqual(good);
  });

  it("times out a server that never answers, and suggests the mirror", async () => {
    const base = await serve(() => {
      /* never responds */
    });
    const ws = await workspace({ widgets: docs().widgets }, base);
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, ...quick });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.message).toMatch(/^widgets: timed out after 300 ms waiting for http:\/\/127\.0\.0\.1:\d+\/widgets\.json after 2 attempts; set GREENLAKE_SPECS_MIRROR/);
    expect(await readdir(ws.specsDir)).toEqual([]);
  });

  it("names the unreachable host and suggests the mirror", async () => {
    const port = await closedPort();
    const ws = await workspace({ widgets: docs().widgets }, `http://127.0.0.1:${port}`);
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, ...quick });
    expect(report.failures[0]!.message).toMatch(/^widgets: could not reach http:\/\/127\.0\.0\.1:\d+\/widgets\.json \(ECONNREFUSED\) after 2 attempts; set GREENLAKE_SPECS_MIRROR/);
  });

  it("uses an injected fetch", async () => {
    const ws = await workspace({ widgets: docs().widgets });
    const seen: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(JSON.stringify(widgetsDocument()));
    };
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, fetch: fakeFetch });
    expect(report.fetched).toEqual(["widgets"]);
    expect(seen).toEqual(["https://example.invalid/widgets.json"]);
  });
});

describe("npm run specs:fetch", () => {
  it("exits non-zero with one line naming a corrupted mirror file, keeping the good copy", async () => {
    const { ws, good } = await withGoodCopies();
    const newVersion = { ...widgetsDocument(), info: { title: "Widgets", version: "2.0.0" } };
    const manifest = { documents: ws.manifest.documents.map((d) => (d.key === "widgets" ? { ...d, sha256: documentHash(newVersion) } : d)) };
    await writeFile(ws.manifestPath, serializeManifest(manifest));
    await writeFile(join(ws.mirrorDir, "widgets.json"), JSON.stringify({ ...newVersion, openapi: "3.0.0" }));
    const result = await runScript("fetch-specs.ts", ["--manifest", ws.manifestPath, "--specs-dir", ws.specsDir], { GREENLAKE_SPECS_MIRROR: ws.mirrorDir });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^specs:fetch: widgets: content hash .* does not match the pin/);
    expect(await readFile(join(ws.specsDir, "widgets.json"))).toEqual(good);
  });

  it("exits non-zero for an unknown document key", async () => {
    const ws = await workspace(docs());
    const result = await runScript("fetch-specs.ts", ["--manifest", ws.manifestPath, "--specs-dir", ws.specsDir, "nope"], { GREENLAKE_SPECS_MIRROR: ws.mirrorDir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('specs:fetch: unknown document key "nope" (not in specs/sources.json)');
  });

  it("exits zero and fetches everything from the mirror", async () => {
    const ws = await workspace(docs());
    const result = await runScript("fetch-specs.ts", ["--manifest", ws.manifestPath, "--specs-dir", ws.specsDir], { GREENLAKE_SPECS_MIRROR: ws.mirrorDir });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("2 fetched from mirror");
  });
});

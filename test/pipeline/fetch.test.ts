import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { documentHash } from "../../src/specs/canonical.js";
import { fetchDocuments } from "../../src/specs/fetch-documents.js";
import { serializeManifest } from "../../src/specs/manifest.js";
import { projectRoot } from "../../scripts/lib/paths.js";
import { closedPort, runScript, serve, tempDir, widgetsDocument, gadgetsDocument, workspace } from "./helpers.js";

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
    expect(report).toEqual({ fetched: ["gadgets", "widgets"], present: [], failures: [], skipped: [] });
    for (const key of ["widgets", "gadgets"]) {
      expect(await readFile(join(ws.specsDir, `${key}.json`))).toEqual(await readFile(join(ws.mirrorDir, `${key}.json`)));
    }
  });

  it("skips documents already present and verified, whatever their formatting", async () => {
    const { ws } = await withGoodCopies();
    await writeFile(join(ws.specsDir, "widgets.json"), JSON.stringify(widgetsDocument()));
    await writeFile(join(ws.mirrorDir, "widgets.json"), "not even json");
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
    expect(report).toEqual({ fetched: [], present: ["gadgets", "widgets"], failures: [], skipped: [] });
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
  // A limit no loopback answer comes near, even on a machine ten times slower; the test of the limit itself sets 300 ms.
  const quick = { timeoutMs: 10_000, retries: 1, retryDelayMs: 10 };

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
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, timeoutMs: 10_000, retries: 2, retryDelayMs: 5 });
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
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, ...quick, timeoutMs: 300 });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.message).toMatch(/^widgets: timed out after 300 ms waiting for http:\/\/127\.0\.0\.1:\d+\/widgets\.json after 2 attempts; set GREENLAKE_SPECS_MIRROR/);
    expect(await readdir(ws.specsDir)).toEqual([]);
  });

  it("names the unreachable host and suggests the mirror", async () => {
    const port = await closedPort();
    const ws = await workspace({ widgets: docs().widgets }, `http://127.0.0.1:${port}`);
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, ...quick });
    expect(report.failures[0]!.message).toMatch(/^widgets: could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) after 2 attempts; set GREENLAKE_SPECS_MIRROR/);
  });

  it("stops at an unreachable upstream: one failure, the other documents not tried", async () => {
    const port = await closedPort();
    const ws = await workspace(docs(), `http://127.0.0.1:${port}`);
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, ...quick, concurrency: 1 });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.message).toMatch(/^widgets: could not reach .* after 2 attempts, so 1 other document was not tried; set GREENLAKE_SPECS_MIRROR/);
    expect(report.skipped).toEqual(["gadgets"]);
  });

  it("downloads from the origin named in GREENLAKE_SPECS_UPSTREAM_ORIGIN, keeping path and query", async () => {
    const requests: string[] = [];
    const base = await serve((req, res) => {
      requests.push(req.url!);
      res.end(JSON.stringify(widgetsDocument()));
    });
    const ws = await workspace({ widgets: docs().widgets }, "https://example.invalid/docs");
    const manifest = { documents: ws.manifest.documents.map((d) => ({ ...d, url: `${d.url}?download` })) };
    const report = await fetchDocuments({ manifest, specsDir: ws.specsDir, upstreamOrigin: base, ...quick });
    expect(report.fetched).toEqual(["widgets"]);
    expect(requests).toEqual(["/docs/widgets.json?download"]);
  });

  it("does not retry a host name the resolver says does not exist", async () => {
    const ws = await workspace({ widgets: docs().widgets });
    let calls = 0;
    const noSuchHost: typeof fetch = async () => {
      calls++;
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND example.invalid"), { code: "ENOTFOUND" }) });
    };
    const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, fetch: noSuchHost, retries: 2, retryDelayMs: 1 });
    expect(calls).toBe(1);
    expect(report.failures.map((f) => f.message)).toEqual([`widgets: could not reach https://example.invalid (ENOTFOUND) after 1 attempt; set GREENLAKE_SPECS_MIRROR to a local mirror of the documents (e.g. GREENLAKE_SPECS_MIRROR=../shared/greenlake-specs)`]);
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

  it("without a mirror and with the portal unreachable, exits at once with one line saying what to do", async () => {
    const port = await closedPort();
    const specsDir = await tempDir();
    // Three attempts as by default, without the default's seconds of waiting between them.
    const result = await runScript("fetch-specs.ts", ["--specs-dir", specsDir, "--retry-delay-ms", "1"], { GREENLAKE_SPECS_MIRROR: undefined, GREENLAKE_SPECS_UPSTREAM_ORIGIN: `http://127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^specs:fetch: [\w.-]+: could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) after 3 attempts, so \d+ other documents were not tried; set GREENLAKE_SPECS_MIRROR/);
    expect(await readdir(specsDir)).toEqual([]);
  });

  it("stops the real manifest's fetch after the documents already under way when the upstream drops every connection", async () => {
    const requested = new Set<string>();
    const base = await serve((req) => {
      requested.add(req.url!);
      req.socket.destroy();
    });
    const specsDir = await tempDir();
    const result = await runScript("fetch-specs.ts", ["--specs-dir", specsDir, "--retry-delay-ms", "1"], { GREENLAKE_SPECS_MIRROR: undefined, GREENLAKE_SPECS_UPSTREAM_ORIGIN: base });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    const manifest = JSON.parse(await readFile(join(projectRoot, "specs", "sources.json"), "utf8")) as { documents: unknown[] };
    // Six at a time: the first to give up stops the rest, so most documents are never requested.
    expect(requested.size).toBeLessThanOrEqual(6);
    expect(manifest.documents.length).toBeGreaterThan(6);
  });

  it("exits zero and fetches everything from the mirror", async () => {
    const ws = await workspace(docs());
    const result = await runScript("fetch-specs.ts", ["--manifest", ws.manifestPath, "--specs-dir", ws.specsDir], { GREENLAKE_SPECS_MIRROR: ws.mirrorDir });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("2 fetched from mirror");
  });
});

describe("fetchDocuments against hostile upstreams (property)", () => {
  type Behaviour = "ok" | "flaky" | "drop" | "404" | "wrong" | "garbage";
  const behaviours: Behaviour[] = ["ok", "flaky", "drop", "404", "wrong", "garbage"];
  const documentFor = (key: string) => ({ openapi: "3.1.0", info: { title: key, version: "1.0.0" }, paths: {} });

  it("reports every document exactly once, stops at the first unreachable one, and writes only pinned content", async () => {
    const plans = new Map<string, Behaviour>();
    const seen = new Map<string, number>();
    const base = await serve((req, res) => {
      const path = req.url!;
      const key = path.slice(path.lastIndexOf("/") + 1, -".json".length);
      const times = (seen.get(path) ?? 0) + 1;
      seen.set(path, times);
      const behaviour = plans.get(path);
      if (behaviour === "drop") return void req.socket.destroy();
      if (behaviour === "404") return void res.writeHead(404).end();
      if (behaviour === "flaky" && times === 1) return void res.writeHead(503).end();
      if (behaviour === "garbage") return void res.end('{"openapi": ');
      const document = documentFor(key);
      res.end(JSON.stringify(behaviour === "wrong" ? { ...document, info: { title: "changed", version: "2" } } : document));
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...behaviours), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), async (plan, concurrency) => {
        run++;
        const specsDir = await tempDir();
        const documents = plan.map((behaviour, i) => {
          const key = `doc${i}`;
          const url = `${base}/run${run}/${key}.json`;
          plans.set(new URL(url).pathname, behaviour);
          return { key, service: "widgets", url, sha256: documentHash(documentFor(key)) };
        });
        const report = await fetchDocuments({ manifest: { documents }, specsDir, concurrency, timeoutMs: 10_000, retries: 1, retryDelayMs: 1 });
        const skipped = (report as { skipped?: string[] }).skipped ?? [];
        const reported = [...report.fetched, ...report.present, ...report.failures.map((f) => f.key), ...skipped].sort();
        expect(reported).toEqual(documents.map((d) => d.key).sort());
        const unreachable = report.failures.filter((f) => f.message.includes("could not reach"));
        expect(unreachable.length).toBeLessThanOrEqual(1);
        if (!plan.includes("drop")) expect(skipped).toEqual([]);
        for (const failure of report.failures) {
          expect(failure.message.startsWith(`${failure.key}: `)).toBe(true);
          expect(failure.message).not.toContain("\n");
        }
        for (const key of report.fetched) expect(["ok", "flaky"]).toContain(plan[Number(key.slice(3))]);
        const written = (await readdir(specsDir)).sort();
        expect(written).toEqual(report.fetched.map((key) => `${key}.json`).sort());
        for (const key of report.fetched) expect(documentHash(JSON.parse(await readFile(join(specsDir, `${key}.json`), "utf8")))).toBe(documentHash(documentFor(key)));
      }),
      { numRuns: 40 },
    );
  });
});

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareWithBaseline, countProblems, normalizeCounts, parseJsonSequence, type LintCounts } from "../../scripts/lib/lint-baseline.js";
import { loadManifest } from "../../src/specs/manifest.js";
import { defaultManifestPath, projectRoot } from "../../scripts/lib/paths.js";
import { lintDocuments } from "../../scripts/lib/run-redocly.js";
import { tempDir, widgetsDocument } from "./helpers.js";

describe("lint baseline arithmetic", () => {
  it("splits the CLI's back-to-back JSON reports, braces inside strings included", () => {
    expect(parseJsonSequence('{"a": "x}{"}\n{"b": [1, {"c": "\\"}"}]}\n')).toEqual([{ a: "x}{" }, { b: [1, { c: '"}' }] }]);
  });

  it("counts problems per document, severity and rule", () => {
    const problems = [
      { ruleId: "struct", severity: "error", location: [{ source: { ref: "specs/a.json" } }] },
      { ruleId: "no-unused-components", severity: "warn", location: [{ source: { ref: "specs/a.json" } }] },
      { ruleId: "no-unused-components", severity: "warn", location: [{ source: { ref: "specs/a.json" } }] },
      { ruleId: "tag-description", severity: "warn", location: [{ source: { ref: "/abs/specs/b.json" } }] },
    ];
    const counts = countProblems(problems, (source) => source.split("/").pop()!.replace(".json", ""));
    expect(normalizeCounts(counts, ["a", "b", "c"])).toEqual({
      a: { errors: { struct: 1 }, warnings: { "no-unused-components": 2 } },
      b: { errors: {}, warnings: { "tag-description": 1 } },
      c: { errors: {}, warnings: {} },
    });
    expect(() => countProblems(problems, () => undefined)).toThrow("lint problem struct in an unknown file");
  });

  it("reports counts that rose or fell against the baseline", () => {
    const baseline: LintCounts = { a: { errors: { struct: 1 }, warnings: { x: 2, y: 1 } } };
    const current: LintCounts = { a: { errors: { struct: 1 }, warnings: { x: 3, z: 1 } } };
    expect(compareWithBaseline(current, baseline)).toEqual([
      { key: "a", severity: "warnings", rule: "x", baseline: 2, current: 3 },
      { key: "a", severity: "warnings", rule: "y", baseline: 1, current: 0 },
      { key: "a", severity: "warnings", rule: "z", baseline: 0, current: 1 },
    ]);
    expect(compareWithBaseline(baseline, baseline)).toEqual([]);
  });
});

describe("lint configuration", () => {
  it("redocly.yaml has one api per document, rooted at specs/<key>.json", async () => {
    const manifest = await loadManifest(defaultManifestPath);
    const yaml = await readFile(join(projectRoot, "redocly.yaml"), "utf8");
    const apis = [...yaml.matchAll(/^  ([^\s:]+):\n    root: (\S+)$/gm)].map(([, key, root]) => [key, root]);
    expect(apis).toEqual(manifest.documents.map((d) => [d.key, `specs/${d.key}.json`]));
  });

  it("the committed baseline covers every document with rule counts only", async () => {
    const manifest = await loadManifest(defaultManifestPath);
    const baseline = JSON.parse(await readFile(join(projectRoot, "specs", "lint-baseline.json"), "utf8")) as LintCounts;
    expect(Object.keys(baseline)).toEqual(manifest.documents.map((d) => d.key).sort());
    for (const counts of Object.values(baseline)) {
      expect(Object.keys(counts)).toEqual(["errors", "warnings"]);
      for (const rules of Object.values(counts)) {
        for (const [rule, count] of Object.entries(rules)) {
          expect(rule).toMatch(/^[a-zA-Z0-9-]+$/);
          expect(Number.isInteger(count) && count > 0).toBe(true);
        }
      }
    }
  });
});

describe("lintDocuments", () => {
  it("runs Redocly over the configured documents and counts what it finds", async () => {
    const dir = await tempDir();
    const broken = widgetsDocument() as any;
    broken.paths["/widgets/v1/widgets"].get.parameters.push({ name: "oops", in: "nowhere" });
    await writeFile(join(dir, "clean.json"), JSON.stringify(widgetsDocument()));
    await writeFile(join(dir, "broken.json"), JSON.stringify(broken));
    await writeFile(join(dir, "redocly.yaml"), "extends:\n  - recommended\napis:\n  clean:\n    root: clean.json\n  broken:\n    root: broken.json\n");
    const counts = await lintDocuments({ keys: ["clean", "broken"], configPath: join(dir, "redocly.yaml"), cwd: dir, processes: 2 });
    expect(counts.broken?.errors.struct).toBeGreaterThan(0);
    expect(counts.clean?.errors.struct).toBeUndefined();
    const differences = compareWithBaseline(normalizeCounts(counts, ["clean", "broken"]), normalizeCounts(counts, ["clean", "broken"]));
    expect(differences).toEqual([]);
  });

  it("fails loudly when a document cannot be read", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "redocly.yaml"), "extends:\n  - recommended\napis:\n  gone:\n    root: gone.json\n");
    await expect(lintDocuments({ keys: ["gone"], configPath: join(dir, "redocly.yaml"), cwd: dir })).rejects.toThrow(/redocly lint failed for gone/);
  });
});

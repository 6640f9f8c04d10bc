/**
 * `npm run generate` and `generate:check` as processes, round-tripping a
 * workspace of fixture documents (generateOutput itself: generate.test.ts).
 * A sweep: `npm run test:all` runs it, `npm test` does not (test/scope.ts).
 */
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serializeManifest } from "../../src/specs/manifest.js";
import { documentHash } from "../../src/specs/canonical.js";
import { fetchedWorkspace, gadgetsDocument, runScript, workspace } from "./helpers.js";

describe("npm run generate and generate:check", () => {
  it("generates, skips unchanged inputs, fails the check after a hand edit, and restores the file", async () => {
    const ws = await fetchedWorkspace();
    const generated = join(ws.dir, "generated");
    const args = ["--manifest", ws.manifestPath, "--specs-dir", ws.specsDir, "--generated-dir", generated];

    expect(await runScript("generate.ts", ["--check", ...args])).toMatchObject({ code: 1, stderr: expect.stringContaining("generated/ has not been generated") });
    const first = await runScript("generate.ts", args);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining("2 services, 3 documents, 7 operations; 18 files written") });
    expect(await runScript("generate.ts", ["--check", ...args])).toMatchObject({ code: 0, stdout: expect.stringContaining("up to date") });
    expect((await runScript("generate.ts", args)).stdout).toContain("generate: generated/ is up to date");

    await appendFile(join(generated, "services", "widgets.ts"), "// tweak\n");
    const edited = await runScript("generate.ts", ["--check", ...args]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain("generate:check: generated/services/widgets.ts was edited by hand");

    const restored = await runScript("generate.ts", args);
    expect(restored.stdout).toContain("1 files written");
    expect(await readFile(join(generated, "services", "widgets.ts"), "utf8")).not.toContain("// tweak");

  });

  it("fails the check for a file it did not write and after a re-pin, and removes stray files", async () => {
    const ws = await fetchedWorkspace();
    const generated = join(ws.dir, "generated");
    const args = ["--manifest", ws.manifestPath, "--specs-dir", ws.specsDir, "--generated-dir", generated];
    expect((await runScript("generate.ts", args)).code).toBe(0);

    await writeFile(join(generated, "entries", "stray.ts"), "export {};\n");
    expect((await runScript("generate.ts", ["--check", ...args])).stderr).toContain("generated/entries/stray.ts is not generator output");
    await runScript("generate.ts", args);
    await expect(readFile(join(generated, "entries", "stray.ts"))).rejects.toThrow();

    const v2 = { ...gadgetsDocument(), info: { title: "Gadgets", version: "2.0.0" }, servers: [{ url: "https://global.api.greenlake.hpe.com" }] };
    await writeFile(join(ws.specsDir, "gadgets.json"), JSON.stringify(v2));
    await writeFile(ws.manifestPath, serializeManifest({ documents: ws.manifest.documents.map((d) => (d.key === "gadgets" ? { ...d, sha256: documentHash(v2) } : d)) }));
    const stale = await runScript("generate.ts", ["--check", ...args]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("generated/ is stale");
  });
});

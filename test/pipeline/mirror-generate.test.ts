/**
 * The generator over HPE's real documents, read from the local mirror named by GREENLAKE_SPECS_MIRROR:
 * it writes exactly what generated/ holds (which mirror.test.ts checks in npm test), every correction
 * still changes something, and the output compiles under the project's strict settings. A sweep over
 * all 29 documents, so it runs in npm run test:all.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { corrections } from "../../src/specs/corrections.js";
import { generateOutput, type GeneratedOutput } from "../../scripts/lib/generate-output.js";
import { loadManifest } from "../../src/specs/manifest.js";
import { defaultManifestPath, projectRoot } from "../../scripts/lib/paths.js";
import { hpeMirrorDir, tempDir } from "./helpers.js";

let output: GeneratedOutput;

beforeAll(async () => {
  output = await generateOutput({ manifest: await loadManifest(defaultManifestPath), specsDir: hpeMirrorDir, corrections });
}, 300_000);

describe("the generator over the mirror", () => {
  it("writes what generated/ holds, file for file", async () => {
    expect(output.files.size).toBeGreaterThan(29);
    for (const [path, text] of output.files) expect(await readFile(join(projectRoot, "generated", path), "utf8"), path).toBe(text);
  });

  it("applies every correction somewhere", () => {
    expect(output.unusedCorrections).toEqual([]);
  });

  it("compile under the project's strict compiler settings", async () => {
    const dir = await tempDir();
    for (const [path, text] of output.files) {
      if (!["types/", "service-types/", "services/"].some((folder) => path.startsWith(folder))) continue;
      await mkdir(dirname(join(dir, "generated", path)), { recursive: true });
      await writeFile(join(dir, "generated", path), text);
    }
    await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    await mkdir(join(dir, "src", "internal"), { recursive: true });
    for (const file of ["metadata.ts", "internal/operations-codec.ts"]) await copyFile(join(projectRoot, "src", file), join(dir, "src", file));
    const base = JSON.parse(await readFile(join(projectRoot, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...base.compilerOptions, types: [] }, include: ["generated", "src"] }));
    const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => resolve({ code: error ? 1 : 0, stdout }));
    });
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  }, 300_000);
});

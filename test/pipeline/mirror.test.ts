/**
 * Checks against HPE's real documents, read from the local mirror named by GREENLAKE_SPECS_MIRROR
 * (never copied into the project): the manifest pins them, and the metadata lists every operation
 * of every document.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { corrections } from "../../src/specs/corrections.js";
import { documentHash } from "../../src/specs/canonical.js";
import { generateOutput, type GeneratedOutput } from "../../scripts/lib/generate-output.js";
import { loadManifest, type Manifest } from "../../src/specs/manifest.js";
import { HTTP_METHODS, resolveRef, type OpenApiDocument } from "../../src/specs/openapi.js";
import { defaultManifestPath, projectRoot } from "../../scripts/lib/paths.js";
import { hpeMirrorDir, mirrorDirFrom, tempDir } from "./helpers.js";

interface MirrorSource {
  readonly service: string;
  readonly file: string;
  readonly url: string;
}

let manifest: Manifest;
let mirrorSources: MirrorSource[];
let documents: Map<string, OpenApiDocument>;
let output: GeneratedOutput;

beforeAll(async () => {
  manifest = await loadManifest(defaultManifestPath);
  const listing = await readFile(join(hpeMirrorDir, "sources.json"), "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new Error(`No mirror of HPE's documents at ${hpeMirrorDir} (${error.code}); set GREENLAKE_SPECS_MIRROR to the folder holding them and sources.json.`);
  });
  mirrorSources = (JSON.parse(listing) as { specs: MirrorSource[] }).specs;
  documents = new Map();
  for (const source of mirrorSources) {
    documents.set(source.file.replace(/\.json$/, ""), JSON.parse(await readFile(join(hpeMirrorDir, source.file), "utf8")) as OpenApiDocument);
  }
  output = await generateOutput({ manifest, specsDir: hpeMirrorDir, corrections });
}, 300_000);

/** Operations of a document counted straight from its `paths`, independently of the generator. */
function countOperations(document: OpenApiDocument): number {
  return Object.values(document.paths ?? {}).reduce((sum, item) => sum + Object.keys(item).filter((k) => (HTTP_METHODS as readonly string[]).includes(k)).length, 0);
}

describe("the mirror", () => {
  it("is the folder GREENLAKE_SPECS_MIRROR names, relative to the project, else ../shared/greenlake-specs", () => {
    expect(mirrorDirFrom({ GREENLAKE_SPECS_MIRROR: "/data/specs" }, "/work/sdk")).toBe("/data/specs");
    expect(mirrorDirFrom({ GREENLAKE_SPECS_MIRROR: "../mirror" }, "/work/sdk")).toBe("/work/mirror");
    expect(mirrorDirFrom({ GREENLAKE_SPECS_MIRROR: " " }, "/work/sdk")).toBe("/work/shared/greenlake-specs");
    expect(mirrorDirFrom({}, "/work/sdk")).toBe("/work/shared/greenlake-specs");
  });
});

describe("specs/sources.json", () => {
  it("lists every mirrored document once, with HPE's service and URL", () => {
    const expected = mirrorSources.map((s) => ({ key: s.file.replace(/\.json$/, ""), service: s.service, url: s.url })).sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(manifest.documents.map(({ key, service, url }) => ({ key, service, url }))).toEqual(expected);
    expect(manifest.documents).toHaveLength(29);
  });

  it("pins each document's canonical content", () => {
    for (const source of manifest.documents) expect(documentHash(documents.get(source.key)), source.key).toBe(source.sha256);
  });
});

describe("metadata generated from HPE's documents", () => {
  it("lists exactly 918 operations over 633 paths in 25 services", () => {
    const operations = output.metadata.flatMap((m) => m.operations);
    expect(output.metadata).toHaveLength(25);
    expect(operations).toHaveLength(918);
    expect(new Set(operations.map((op) => op.path)).size).toBe(633);
  });

  it("has per-service operation counts equal to the documents'", () => {
    const expected: Record<string, number> = {};
    for (const source of manifest.documents) expected[source.service] = (expected[source.service] ?? 0) + countOperations(documents.get(source.key)!);
    const actual = Object.fromEntries(output.metadata.map((m) => [m.service, m.operations.length]));
    expect(actual).toEqual(expected);
  });

  it("credits each operation to its document with its upstream operationId and deprecation", () => {
    for (const m of output.metadata) {
      for (const op of m.operations) {
        const upstream = documents.get(op.document)!.paths![op.path]![op.method] as { operationId?: string; deprecated?: boolean };
        expect(upstream, `${op.method} ${op.path}`).toBeDefined();
        if (upstream.operationId) expect(op.operationId).toBe(upstream.operationId);
        expect(op.deprecated).toBe(upstream.deprecated === true);
      }
    }
  });

  it("names regions consistently and keeps every upstream server", () => {
    const allowed = ["us-west", "eu-west", "eu-central", "ap-northeast", "global"];
    for (const m of output.metadata) {
      expect(Object.keys(m.servers).every((region) => allowed.includes(region)), m.service).toBe(true);
      const upstream = new Set(m.documents.flatMap((key) => (documents.get(key)!.servers ?? []).map((s) => s.url.replace(/\/+$/, ""))));
      expect(new Set(Object.values(m.servers))).toEqual(upstream);
    }
    expect(output.metadata.find((m) => m.service === "block-storage")!.servers).toEqual({
      "us-west": "https://us1.data.cloud.hpe.com",
      "eu-central": "https://eu1.data.cloud.hpe.com",
      "ap-northeast": "https://jp1.data.cloud.hpe.com",
    });
  });

  it("pages /identity/v1/users by pages and every offset/next list operation somehow", () => {
    const identity = output.metadata.find((m) => m.service === "identity")!;
    expect(identity.operations.find((op) => op.path === "/identity/v1/users" && op.method === "get")!.pagination?.style).toBe("offset-pages");
    for (const m of output.metadata) {
      for (const op of m.operations) {
        const upstream = documents.get(op.document)!.paths![op.path]!;
        const params = [...((upstream.parameters as { name?: string; in?: string }[]) ?? []), ...(((upstream[op.method] as { parameters?: unknown[] }).parameters as { name?: string; in?: string; $ref?: string }[]) ?? [])];
        const names = params.map((p) => resolveRef(documents.get(op.document)!, p as { name?: string }).name);
        const pages = op.method === "get" && names.includes("limit") && (names.includes("offset") || names.includes("next"));
        expect(op.pagination !== undefined, `${op.method} ${op.path}`).toBe(pages);
      }
    }
  });

  it("applies every correction somewhere", () => {
    expect(output.unusedCorrections).toEqual([]);
  });

  it("leaves the upstream documents untouched", async () => {
    for (const source of manifest.documents) {
      const fresh = JSON.parse(await readFile(join(hpeMirrorDir, `${source.key}.json`), "utf8"));
      expect(documentHash(fresh)).toBe(source.sha256);
    }
    expect(JSON.parse(output.files.get("openapi/reporting.json")!).paths["/reporting/v1/report-exports"].post.operationId).toBe("postReportingV1ReportExports");
  });
});

describe("corrected documents and their types", () => {
  it("admit the nulls and numbers HPE's own response examples show", () => {
    const devices = output.files.get("types/device-management.ts")!;
    for (const field of ["application", "region", "subscription", "warranty"]) expect(devices, field).toMatch(new RegExp(`\\n\\s+${field}\\?: [^;\\n]+ \\| null;`));
    expect(output.files.get("types/subscription-management.ts")).toMatch(/\n\s+quantity\?: string \| number;/);
  });

  it("reference nothing outside themselves, which Prism would try to download", () => {
    for (const [path, text] of output.files) {
      if (!path.startsWith("openapi/")) continue;
      const external = [...text.matchAll(/"\$ref": "([^"#][^"]*)"/g)].map((m) => m[1]);
      expect(external, path).toEqual([]);
    }
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

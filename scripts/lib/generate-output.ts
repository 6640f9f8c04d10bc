/** Builds every file under generated/ in memory, and decides whether generated/ is current. */
import { readdir, readFile, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { ServiceMetadata } from "../../src/metadata.js";
import { correctDocument, unknownCorrectionTargets, type Correction } from "../../src/specs/apply-corrections.js";
import { documentHash, sha256 } from "../../src/specs/canonical.js";
import { buildCliService, renderCliIndex, renderCliModule } from "./cli-metadata.js";
import { writeFileAtomic } from "../../src/specs/fs-atomic.js";
import { documentsByService, type Manifest } from "../../src/specs/manifest.js";
import type { OpenApiDocument } from "../../src/specs/openapi.js";
import { projectRoot, specPath } from "./paths.js";
import { METADATA_MODULE, SERVICE_TYPES_DIR, renderEntryModule, renderMetadataTable, renderSchemasIndex, renderServiceIndex, renderServiceModule, renderServiceTypesModule, renderTypesModule } from "./render.js";
import { buildServiceMetadata, type KeyedDocument } from "./service-metadata.js";

export const STAMP_FILE = ".generate-stamp.json";

/**
 * Read-write markers keep read-only fields out of request bodies and write-only ones out of
 * responses (openapi-fetch's Writable/Readable). `defaultNonNullable` off: a field with a
 * `default` may be left out of a request, and responses carry it only where `required` says so.
 */
const TYPE_OPTIONS = { silent: true, readWriteMarkers: true, defaultNonNullable: false } as const;

export interface GenerateInputs {
  readonly manifest: Manifest;
  readonly specsDir: string;
  readonly corrections: readonly Correction[];
}

export interface GeneratedOutput {
  /** Path relative to generated/ (forward slashes) -> content. */
  readonly files: Map<string, string>;
  readonly metadata: ServiceMetadata[];
  /** Corrections that changed nothing in a document they name (fixed upstream?), or name no known document. */
  readonly unusedCorrections: string[];
}

export async function generateOutput(inputs: GenerateInputs): Promise<GeneratedOutput> {
  const files = new Map<string, string>();
  const corrected = new Map<string, OpenApiDocument>();
  const unknownTargets = unknownCorrectionTargets(inputs.corrections, inputs.manifest.documents.map((d) => d.key));
  const unusedCorrections = unknownTargets.map((key) => `${key}: not in the manifest`);
  for (const source of inputs.manifest.documents) {
    const upstream = await readPinnedDocument(inputs.specsDir, source.key, source.sha256);
    const result = correctDocument(source.key, upstream, inputs.corrections);
    unusedCorrections.push(...result.unused.map((reason) => `${source.key}: ${reason}`));
    const json = result.json;
    files.set(`openapi/${source.key}.json`, json);
    // openapi-typescript may annotate the object it is given; hand it a private copy.
    files.set(`types/${source.key}.ts`, renderTypesModule(source.key, await typesOf(JSON.parse(json) as OpenApiDocument)));
    corrected.set(source.key, result.document);
  }
  const metadata: ServiceMetadata[] = [];
  const cliServices = [];
  const services = [...documentsByService(inputs.manifest).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [service, sources] of services) {
    const documents: KeyedDocument[] = sources.map((s) => ({ key: s.key, document: corrected.get(s.key)! }));
    const serviceMetadata = buildServiceMetadata(service, documents);
    metadata.push(serviceMetadata);
    files.set(`${SERVICE_TYPES_DIR}/${service}.ts`, renderServiceTypesModule(serviceMetadata));
    files.set(`services/${service}.ts`, renderServiceModule(serviceMetadata));
    files.set(`entries/${service}.ts`, renderEntryModule(service));
    const cliService = buildCliService(serviceMetadata, documents);
    cliServices.push(cliService);
    files.set(`cli/${service}.ts`, renderCliModule(cliService));
  }
  files.set("cli/index.ts", renderCliIndex(cliServices));
  files.set(`services/${METADATA_MODULE}.ts`, renderMetadataTable(metadata));
  files.set("services/index.ts", renderServiceIndex(services.map(([service]) => service)));
  files.set("schemas.ts", renderSchemasIndex(services.map(([service]) => service)));
  return { files: new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))), metadata, unusedCorrections };
}

/** openapi-typescript's output for one corrected document. */
export async function typesOf(document: OpenApiDocument): Promise<string> {
  // Loaded here, not at the top: `generate:check` and up-to-date runs never need it.
  const { default: openapiTS, astToString } = await import("openapi-typescript");
  const { markReferencedReadWrite } = await import("./referenced-read-write.js");
  const { guardObjectBodies } = await import("./object-bodies.js");
  const { shareRepeatedTypes } = await import("./shared-types.js");
  const { shortenComponentRefs } = await import("./component-refs.js");
  return astToString(shortenComponentRefs(shareRepeatedTypes(guardObjectBodies(await openapiTS(document as never, { ...TYPE_OPTIONS, transformProperty: markReferencedReadWrite })))));
}

async function readPinnedDocument(specsDir: string, key: string, pin: string): Promise<OpenApiDocument> {
  const fix = "run npm run specs:fetch";
  let text: string;
  try {
    text = await readFile(specPath(specsDir, key), "utf8");
  } catch {
    throw new Error(`specs/${key}.json is missing; ${fix}`);
  }
  let document: OpenApiDocument;
  try {
    document = JSON.parse(text) as OpenApiDocument;
  } catch {
    throw new Error(`specs/${key}.json is not valid JSON; ${fix}`);
  }
  if (documentHash(document) !== pin) throw new Error(`specs/${key}.json is not the version pinned in specs/sources.json; ${fix}`);
  return document;
}

/** Hash of everything the output depends on: manifest, documents, corrections and generator code. */
export async function inputsHash(inputs: { manifestPath: string; specsDir: string; manifest: Manifest; generatorFiles: readonly string[]; extra?: string }): Promise<string> {
  const parts: string[] = [sha256(await readFile(inputs.manifestPath))];
  for (const source of inputs.manifest.documents) {
    try {
      parts.push(`${source.key}:${sha256(await readFile(specPath(inputs.specsDir, source.key)))}`);
    } catch {
      parts.push(`${source.key}:missing`);
    }
  }
  // Relative names, so the same checkout hashes the same wherever it lives.
  for (const file of [...inputs.generatorFiles].sort()) parts.push(`${relative(projectRoot, file)}:${sha256(await readFile(file))}`);
  parts.push(inputs.extra ?? "");
  return sha256(parts.join("\n"));
}

export interface Stamp {
  readonly inputs: string;
  /** Path relative to generated/ -> sha256 of its content. */
  readonly files: Record<string, string>;
}

export function stampFor(inputs: string, files: Map<string, string>): Stamp {
  return { inputs, files: Object.fromEntries([...files.entries()].map(([path, content]) => [path, sha256(content)])) };
}

export async function readStamp(generatedDir: string): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await readFile(join(generatedDir, STAMP_FILE), "utf8")) as Stamp;
  } catch {
    return undefined;
  }
}

/** Problems that make generated/ differ from what the stamp promises; empty when current. */
export async function findDrift(generatedDir: string, stamp: Stamp | undefined, currentInputs: string): Promise<string[]> {
  if (!stamp) return ["generated/ has not been generated"];
  if (stamp.inputs !== currentInputs) return ["generated/ is stale: documents, corrections or generator changed since the last generate"];
  const problems: string[] = [];
  const onDisk = new Set(await listFiles(generatedDir));
  for (const [path, hash] of Object.entries(stamp.files)) {
    if (!onDisk.has(path)) problems.push(`generated/${path} is missing`);
    else if (sha256(await readFile(join(generatedDir, path))) !== hash) problems.push(`generated/${path} was edited by hand`);
  }
  for (const path of onDisk) {
    if (path !== STAMP_FILE && !(path in stamp.files)) problems.push(`generated/${path} is not generator output`);
  }
  return problems.sort();
}

/** Writes changed files, removes files no longer generated, then the stamp. */
export async function writeOutput(generatedDir: string, files: Map<string, string>, stamp: Stamp): Promise<{ written: number; removed: number }> {
  let written = 0;
  let removed = 0;
  await rm(join(generatedDir, STAMP_FILE), { force: true });
  for (const [path, content] of files) {
    const target = join(generatedDir, path);
    const existing = await readFile(target, "utf8").catch(() => undefined);
    if (existing === content) continue;
    await writeFileAtomic(target, content);
    written++;
  }
  for (const path of await listFiles(generatedDir)) {
    if (path !== STAMP_FILE && !files.has(path)) {
      await rm(join(generatedDir, path));
      removed++;
    }
  }
  await writeFileAtomic(join(generatedDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
  return { written, removed };
}

export async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();
}

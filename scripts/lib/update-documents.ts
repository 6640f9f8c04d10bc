/** Re-fetches documents without the pin, re-pins the ones that changed, and describes the changes. */
import { readFile } from "node:fs/promises";
import { documentHash } from "../../src/specs/canonical.js";
import { compareDocuments, isEmpty, type DocumentChanges } from "./changelog.js";
import { describeFailure, readSource, selectDocuments, type FetchFailure, type FetchOptions } from "../../src/specs/fetch-documents.js";
import { writeFileAtomic } from "../../src/specs/fs-atomic.js";
import { serializeManifest, type Manifest } from "../../src/specs/manifest.js";
import type { OpenApiDocument } from "../../src/specs/openapi.js";
import { specPath } from "./paths.js";

export interface DocumentUpdate {
  readonly key: string;
  readonly service: string;
  readonly previousHash: string;
  readonly newHash: string;
  /** Undefined when the pinned version was not in specs/ to compare with. */
  readonly changes?: DocumentChanges;
}

export interface UpdateReport {
  readonly manifest: Manifest;
  readonly updates: DocumentUpdate[];
  readonly unchanged: string[];
  readonly failures: FetchFailure[];
}

/**
 * Fetches the selected documents, writes the new manifest to `manifestPath` and every changed
 * document to specs/. Failed documents keep their pin and their file.
 */
export async function updateDocuments(options: FetchOptions & { manifestPath: string }): Promise<UpdateReport> {
  const sources = selectDocuments(options.manifest, options.keys);
  const updates: DocumentUpdate[] = [];
  const unchanged: string[] = [];
  const failures: FetchFailure[] = [];
  const pending: { key: string; bytes: Uint8Array }[] = [];
  const pins = new Map<string, string>();
  for (const source of sources) {
    let fetched;
    try {
      fetched = await readSource(source, options);
    } catch (error) {
      failures.push(describeFailure(source.key, error, options.mirrorDir));
      continue;
    }
    if (fetched.sha256 === source.sha256) {
      unchanged.push(source.key);
      continue;
    }
    const previous = await readPinned(options.specsDir, source.key, source.sha256);
    const changes = previous ? compareDocuments(previous, fetched.document as OpenApiDocument) : undefined;
    updates.push({ key: source.key, service: source.service, previousHash: source.sha256, newHash: fetched.sha256, ...(changes ? { changes } : {}) });
    pending.push({ key: source.key, bytes: fetched.bytes });
    pins.set(source.key, fetched.sha256);
  }
  const manifest: Manifest = { documents: options.manifest.documents.map((doc) => (pins.has(doc.key) ? { ...doc, sha256: pins.get(doc.key)! } : doc)) };
  // Manifest first: if writing a document fails afterwards, specs:fetch simply fetches the new pin.
  if (pending.length > 0) await writeFileAtomic(options.manifestPath, serializeManifest(manifest));
  for (const { key, bytes } of pending) await writeFileAtomic(specPath(options.specsDir, key), bytes);
  return { manifest, updates, unchanged, failures };
}

async function readPinned(specsDir: string, key: string, pin: string): Promise<OpenApiDocument | undefined> {
  try {
    const document = JSON.parse(await readFile(specPath(specsDir, key), "utf8")) as OpenApiDocument;
    return documentHash(document) === pin ? document : undefined;
  } catch {
    return undefined;
  }
}

/** Human-readable changelog, grouped by service. */
export function formatChangelog(updates: readonly DocumentUpdate[]): string {
  if (updates.length === 0) return "No document changed.\n";
  const lines: string[] = [];
  const services = [...new Set(updates.map((u) => u.service))].sort();
  for (const service of services) {
    lines.push(`## ${service}`);
    for (const update of updates.filter((u) => u.service === service)) {
      lines.push(`### ${update.key} (${update.previousHash.slice(0, 12)} -> ${update.newHash.slice(0, 12)})`);
      if (!update.changes) {
        lines.push("- previous version not in specs/ (run npm run specs:fetch before updating to get a changelog)");
        continue;
      }
      if (isEmpty(update.changes)) lines.push("- no operation-level changes (descriptions, examples or other details only)");
      for (const op of update.changes.added) lines.push(`- added: ${op}`);
      for (const op of update.changes.removed) lines.push(`- removed (breaking): ${op}`);
      for (const op of update.changes.deprecated) lines.push(`- deprecated: ${op}`);
      for (const change of update.changes.breaking) lines.push(`- breaking: ${change}`);
    }
    lines.push("");
  }
  return `${lines.join("\n")}`;
}

/**
 * Lint results per document, keyed by what decides them: the document's
 * bytes, redocly.yaml and the Redocly version. A document whose key is
 * unchanged is not linted again; anything else about the run is unchanged.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { mkdir } from "node:fs/promises";
import { writeFileAtomic } from "../../src/specs/fs-atomic.js";
import type { LintCounts } from "./lint-baseline.js";

export interface LintCacheFile {
  /** Per document key: the hash the counts belong to, and the counts. */
  entries: Record<string, { hash: string; counts: LintCounts[string] }>;
}

export interface LintCacheInputs {
  /** Bytes of each document, by key. */
  readonly documents: ReadonlyMap<string, Buffer>;
  readonly config: Buffer | string;
  readonly redoclyVersion: string;
}

export function documentHash(document: Buffer, config: Buffer | string, redoclyVersion: string): string {
  const hash = createHash("sha256");
  hash.update(redoclyVersion).update("\0").update(createHash("sha256").update(config).digest()).update("\0").update(document);
  return hash.digest("hex");
}

export async function readLintCache(path: string): Promise<LintCacheFile> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as LintCacheFile;
    return parsed && typeof parsed.entries === "object" && parsed.entries !== null ? parsed : { entries: {} };
  } catch {
    return { entries: {} };
  }
}

/**
 * Lints only the documents the cache cannot answer for, through `lint`, and
 * returns every document's counts with the cache updated on disk.
 */
export async function lintWithCache(
  path: string,
  inputs: LintCacheInputs,
  lint: (keys: readonly string[]) => Promise<LintCounts>,
): Promise<{ counts: LintCounts; linted: string[]; cached: string[] }> {
  const cache = await readLintCache(path);
  const hashes = new Map([...inputs.documents].map(([key, bytes]) => [key, documentHash(bytes, inputs.config, inputs.redoclyVersion)]));
  const stale = [...hashes].filter(([key, hash]) => cache.entries[key]?.hash !== hash).map(([key]) => key);
  const fresh = stale.length > 0 ? await lint(stale) : {};
  const counts: LintCounts = {};
  // Entries of documents not in this run are kept: a document listed again later is still known.
  const entries: LintCacheFile["entries"] = { ...cache.entries };
  for (const [key, hash] of hashes) {
    const value = stale.includes(key) ? (fresh[key] ?? { errors: {}, warnings: {} }) : cache.entries[key]!.counts;
    counts[key] = value;
    entries[key] = { hash, counts: value };
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify({ entries }, null, 2)}\n`);
  return { counts, linted: stale, cached: [...hashes.keys()].filter((k) => !stale.includes(k)) };
}

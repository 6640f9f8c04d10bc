import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** One HPE document as pinned in `specs/sources.json`. */
export interface DocumentSource {
  /** Mirror file name without `.json`, e.g. `authorization__groups-v1beta1-external-groups-v1beta1`. */
  readonly key: string;
  /** HPE service the document belongs to, e.g. `authorization`. */
  readonly service: string;
  readonly url: string;
  /** sha256 of the document's canonical JSON (see canonical.ts). */
  readonly sha256: string;
}

export interface Manifest {
  readonly documents: readonly DocumentSource[];
}

const KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;

export async function loadManifest(path: string): Promise<Manifest> {
  const text = await readFile(path, "utf8");
  return parseManifest(JSON.parse(text) as unknown, path);
}

export function parseManifest(value: unknown, origin = "manifest"): Manifest {
  const documents = (value as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(documents)) throw new Error(`${origin}: expected { "documents": [...] }`);
  const seen = new Set<string>();
  for (const entry of documents as Partial<DocumentSource>[]) {
    const { key, service, url, sha256 } = entry ?? {};
    if (typeof key !== "string" || !KEY_PATTERN.test(key)) throw new Error(`${origin}: invalid document key ${JSON.stringify(key)}`);
    if (seen.has(key)) throw new Error(`${origin}: document ${key} is listed twice`);
    seen.add(key);
    if (typeof service !== "string" || !KEY_PATTERN.test(service)) throw new Error(`${origin}: document ${key} has an invalid service`);
    if (typeof url !== "string" || !/^https?:\/\//.test(url)) throw new Error(`${origin}: document ${key} has an invalid url`);
    if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`${origin}: document ${key} has an invalid sha256`);
  }
  return { documents: documents as DocumentSource[] };
}

export function serializeManifest(manifest: Manifest): string {
  const documents = manifest.documents.map(({ key, service, url, sha256, ...settings }) => ({ key, service, url, sha256, ...settings }));
  return `${JSON.stringify({ documents }, null, 2)}\n`;
}

/** Service keys in manifest order, each with its document keys. */
export function documentsByService(manifest: Manifest): Map<string, DocumentSource[]> {
  const services = new Map<string, DocumentSource[]>();
  for (const doc of manifest.documents) {
    const list = services.get(doc.service) ?? [];
    list.push(doc);
    services.set(doc.service, list);
  }
  return services;
}

/** Where a document lives in a folder of documents: `<dir>/<key>.json`. */
export function specPath(specsDir: string, key: string): string {
  return join(specsDir, `${key}.json`);
}

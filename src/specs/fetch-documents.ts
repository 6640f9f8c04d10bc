import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { documentHash } from "./canonical.js";
import { download, DownloadError, type DownloadOptions } from "./download.js";
import { writeFileAtomic } from "./fs-atomic.js";
import { specPath, type DocumentSource, type Manifest } from "./manifest.js";

export const MIRROR_HINT = "set GREENLAKE_SPECS_MIRROR to a local mirror of the documents (e.g. GREENLAKE_SPECS_MIRROR=../shared/greenlake-specs)";

/**
 * Replaces the origin of every upstream URL, so tests can put a loopback server (or a closed
 * port) where HPE's portal would be. Not meant for anything else.
 */
export const UPSTREAM_ORIGIN_VARIABLE = "GREENLAKE_SPECS_UPSTREAM_ORIGIN";

export interface FetchOptions extends DownloadOptions {
  readonly manifest: Manifest;
  readonly specsDir: string;
  /** Read `<mirrorDir>/<key>.json` instead of downloading. */
  readonly mirrorDir?: string;
  /** Only these document keys (default: all). */
  readonly keys?: readonly string[];
  readonly concurrency?: number;
  /** Origin to download from instead of each URL's own (see UPSTREAM_ORIGIN_VARIABLE). */
  readonly upstreamOrigin?: string;
  /** Mode of the files written (default 0o666 less the umask); a per-user cache passes 0o600. */
  readonly fileMode?: number;
  /** Stop at the first failure of any kind; an unreachable upstream always stops the fetch. */
  readonly stopAtFirstFailure?: boolean;
}

/** Why a document could not be had: nothing answered, the content is not the pinned version, or anything else. */
export type FailureKind = "unreachable" | "pin" | "other";

/** A document that could not be fetched; `message` is one printable line naming it and what to do. */
export interface FetchFailure {
  readonly key: string;
  readonly message: string;
  readonly kind: FailureKind;
  /** The cause alone, without the document key or advice. */
  readonly reason: string;
}

export interface FetchReport {
  readonly fetched: string[];
  readonly present: string[];
  readonly failures: FetchFailure[];
  /** Documents not tried because fetching stopped at a failure. */
  readonly skipped: string[];
}

/** Raised for a problem with one document; the message names the cause, not the document. */
export class DocumentError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind = "other",
  ) {
    super(message);
    this.name = "DocumentError";
  }
}

/**
 * Fetches every selected document that is missing or not the pinned version. An unreachable
 * upstream stops the fetch at its first failure: every other document would fail the same way,
 * after the same retries, and repeat the same advice.
 */
export async function fetchDocuments(options: FetchOptions): Promise<FetchReport> {
  const sources = selectDocuments(options.manifest, options.keys);
  const report: FetchReport = { fetched: [], present: [], failures: [], skipped: [] };
  const stop = new AbortController();
  options.signal?.addEventListener("abort", () => stop.abort(options.signal!.reason), { once: true });
  const signal = stop.signal;
  const errors: { key: string; error: unknown }[] = [];
  await forEachLimited(sources, options.concurrency ?? 6, async (source) => {
    if (stop.signal.aborted) return void report.skipped.push(source.key);
    try {
      if (await isPresentAndPinned(options.specsDir, source)) {
        report.present.push(source.key);
        return;
      }
      const { bytes } = await readSource(source, { ...options, signal }, source.sha256);
      await writeFileAtomic(specPath(options.specsDir, source.key), bytes, options.fileMode);
      report.fetched.push(source.key);
    } catch (error) {
      // Cut short by another document's failure: not a failure of its own.
      if (stop.signal.aborted) return void report.skipped.push(source.key);
      errors.push({ key: source.key, error });
      if (options.stopAtFirstFailure || failureKind(error) === "unreachable") stop.abort();
    }
  });
  for (const { key, error } of errors) report.failures.push(describeFailure(key, error, options.mirrorDir, report.skipped.length));
  report.fetched.sort();
  report.present.sort();
  report.skipped.sort();
  report.failures.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return report;
}

/** The manifest entries for `keys`, or all of them; an unknown key is an error naming it. */
export function selectDocuments(manifest: Manifest, keys?: readonly string[]): DocumentSource[] {
  if (!keys || keys.length === 0) return [...manifest.documents];
  const byKey = new Map(manifest.documents.map((doc) => [doc.key, doc]));
  const unknown = keys.filter((key) => !byKey.has(key));
  if (unknown.length > 0) {
    throw new Error(`unknown document key${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")} (not in specs/sources.json)`);
  }
  return keys.map((key) => byKey.get(key)!);
}

export async function isPresentAndPinned(specsDir: string, source: DocumentSource): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(specPath(specsDir, source.key), "utf8");
  } catch {
    return false;
  }
  try {
    return documentHash(JSON.parse(text)) === source.sha256;
  } catch {
    return false;
  }
}

export interface SourceDocument {
  readonly bytes: Uint8Array;
  readonly document: unknown;
  readonly sha256: string;
}

/**
 * Reads a document from the mirror or upstream and parses it; when `expectedHash` is given,
 * a different content hash is an error.
 */
export async function readSource(source: DocumentSource, options: Omit<FetchOptions, "manifest" | "specsDir">, expectedHash?: string): Promise<SourceDocument> {
  const bytes = options.mirrorDir ? await readMirror(options.mirrorDir, source.key) : await downloadUpstream(upstreamUrl(source.url, options.upstreamOrigin), options);
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new DocumentError(`invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new DocumentError("invalid document: expected a JSON object");
  }
  const sha256 = documentHash(document);
  if (expectedHash !== undefined && sha256 !== expectedHash) {
    throw new DocumentError(`content hash ${sha256.slice(0, 12)}… does not match the pin ${expectedHash.slice(0, 12)}… in specs/sources.json`, "pin");
  }
  return { bytes, document, sha256 };
}

/** `url` with its origin replaced by `origin`, when one is given. */
export function upstreamUrl(url: string, origin: string | undefined): string {
  if (origin === undefined) return url;
  const parsed = new URL(url);
  return new URL(`${parsed.pathname}${parsed.search}`, origin).href;
}

async function readMirror(mirrorDir: string, key: string): Promise<Uint8Array> {
  const path = join(mirrorDir, `${key}.json`);
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DocumentError(`missing from the mirror (no ${path})`);
    throw new DocumentError(`cannot read ${path} from the mirror (${code ?? String(error)})`);
  }
}

async function downloadUpstream(url: string, options: DownloadOptions): Promise<Uint8Array> {
  try {
    return await download(url, options);
  } catch (error) {
    if (error instanceof DownloadError) throw new DocumentError(error.message, error.unreachable ? "unreachable" : "other");
    throw error;
  }
}

function failureKind(error: unknown): FailureKind {
  return error instanceof DocumentError ? error.kind : "other";
}

/** One failure as reported: the key, the cause, how many documents it kept from being tried, and what to do. */
export function describeFailure(key: string, error: unknown, mirrorDir: string | undefined, skipped = 0): FetchFailure {
  const reason = error instanceof Error ? error.message : String(error);
  const kind = failureKind(error);
  const notTried = skipped > 0 ? `, so ${skipped} other document${skipped === 1 ? " was" : "s were"} not tried` : "";
  const hint = kind === "unreachable" && !mirrorDir ? `; ${MIRROR_HINT}` : kind === "pin" ? " (run npm run specs:update to accept a new version)" : "";
  return { key, kind, reason, message: `${key}: ${reason}${notTried}${hint}` };
}

async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  });
  await Promise.all(workers);
}

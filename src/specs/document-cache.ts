/**
 * HPE's documents, pinned and corrected, in a per-user cache: what the mocks serve. The package
 * ships no HPE document, only their pins (specs/sources.json); a document comes from the cache,
 * from this checkout's specs/, from GREENLAKE_SPECS_MIRROR or from HPE's portal, in that order,
 * is verified against its pin as `npm run specs:fetch` does, and is corrected as `npm run
 * generate` does.
 */
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, rm, stat, utimes } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { correctDocument } from "./apply-corrections.js";
import { sha256 } from "./canonical.js";
import { corrections } from "./corrections.js";
import type { DownloadOptions } from "./download.js";
import { fetchDocuments, isPresentAndPinned, selectDocuments, UPSTREAM_ORIGIN_VARIABLE, type FetchFailure } from "./fetch-documents.js";
import { writeFileAtomic } from "./fs-atomic.js";
import { parseManifest, specPath, type DocumentSource, type Manifest } from "./manifest.js";
import type { OpenApiDocument } from "./openapi.js";

const PACKAGE_NAME = "greenlake-sdk";
/** Corrected sets no process has used for this long are removed when another set is written. */
const UNUSED_SET_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

export interface CorrectedDocumentsOptions extends Pick<DownloadOptions, "fetch" | "timeoutMs" | "retries" | "retryDelayMs"> {
  /** Document keys to provide. */
  readonly keys: readonly string[];
  /** GREENLAKE_SPECS_MIRROR, GREENLAKE_SPECS_UPSTREAM_ORIGIN, XDG_CACHE_HOME; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: `$XDG_CACHE_HOME/greenlake-sdk`, else `~/.cache/greenlake-sdk`. */
  readonly cacheDir?: string;
  /** Folder holding `sources.json` and possibly pinned documents; default: this package's specs/. */
  readonly specsDir?: string;
}

/** A problem obtaining the documents; the message is one line naming the document and what to do. */
export class DocumentsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DocumentsUnavailableError";
  }
}

export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  // XDG says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, PACKAGE_NAME);
}

/**
 * Makes sure `<cache>/corrected/<set>/<key>.json` holds the corrected document for each key, and
 * returns that folder. `<set>` names the pins and the correction code, so an upgrade never
 * serves documents corrected by other code.
 */
export async function correctedDocuments(options: CorrectedDocumentsOptions): Promise<string> {
  const env = options.env ?? process.env;
  const specsDir = options.specsDir ?? join(packageRoot(), "specs");
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir(env));
  const manifestText = await readManifestText(specsDir);
  const manifest = parseManifest(JSON.parse(manifestText) as unknown, join(specsDir, "sources.json"));
  const sources = selectDocuments(manifest, options.keys);
  const setDir = join(cacheDir, "corrected", sha256(`${manifestText}\n${correctionCodeHash()}`).slice(0, 16));
  if (options.keys.length === 0) return setDir;
  try {
    await makePrivateDir(cacheDir);
    const pinsFile = pinsPath(setDir);
    const pins = await readPins(pinsFile);
    const missing = [];
    // A corrected document is used only when its bytes match the pin written with it: a truncated or
    // damaged file is rebuilt, not served.
    for (const source of sources) if (!(await matchesPin(specPath(setDir, source.key), pins[source.key]))) missing.push(source);
    if (missing.length > 0) {
      const raw = await pinnedDocuments(missing, manifest, specsDir, cacheDir, env, options);
      for (const source of missing) {
        const upstream = JSON.parse(await readFile(raw.get(source.key)!, "utf8")) as OpenApiDocument;
        const json = correctDocument(source.key, upstream, corrections).json;
        await writeFileAtomic(specPath(setDir, source.key), json, 0o600);
        pins[source.key] = sha256(json);
      }
      // Written after the documents: a run stopped in between leaves a document without its pin, rebuilt next time.
      await writeFileAtomic(pinsFile, `${JSON.stringify(pins)}\n`, 0o600);
      await removeUnusedSets(dirname(setDir), setDir);
    }
    // Marks the set as in use, so another version's clean-up leaves it alone.
    const now = new Date();
    await utimes(setDir, now, now);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    // Only file system errors are the cache's; others (a failing correction) say what they are.
    if (typeof code !== "string") throw error;
    throw new DocumentsUnavailableError(`The GreenLake mocks could not use their document cache ${cacheDir} (${code}); set XDG_CACHE_HOME to a folder you can write.`);
  }
  return setDir;
}

/** Where each document's pinned upstream version is: this checkout's specs/, or the cache (filled from the mirror or the portal). */
async function pinnedDocuments(
  sources: readonly DocumentSource[],
  manifest: Manifest,
  specsDir: string,
  cacheDir: string,
  env: Readonly<Record<string, string | undefined>>,
  options: CorrectedDocumentsOptions,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const toFetch: string[] = [];
  for (const source of sources) {
    if (await isPresentAndPinned(specsDir, source)) files.set(source.key, specPath(specsDir, source.key));
    else toFetch.push(source.key);
  }
  if (toFetch.length === 0) return files;
  const mirror = env.GREENLAKE_SPECS_MIRROR;
  const mirrorDir = mirror ? resolve(process.cwd(), mirror) : undefined;
  const upstreamOrigin = env[UPSTREAM_ORIGIN_VARIABLE];
  const documentsDir = join(cacheDir, "documents");
  const report = await fetchDocuments({
    manifest,
    specsDir: documentsDir,
    keys: toFetch,
    fileMode: 0o600,
    stopAtFirstFailure: true,
    ...(mirrorDir ? { mirrorDir } : {}),
    ...(upstreamOrigin ? { upstreamOrigin } : {}),
    ...pick(options, ["fetch", "timeoutMs", "retries", "retryDelayMs"]),
  });
  const [failure] = report.failures;
  if (failure) throw new DocumentsUnavailableError(describe(failure, mirrorDir, report.skipped.length, manifest));
  for (const key of toFetch) files.set(key, specPath(documentsDir, key));
  return files;
}

function describe(failure: FetchFailure, mirrorDir: string | undefined, skipped: number, manifest: Manifest): string {
  const notTried = skipped > 0 ? `, so ${skipped} other document${skipped === 1 ? " was" : "s were"} not tried` : "";
  const source = manifest.documents.find((d) => d.key === failure.key);
  const portal = source ? new URL(source.url).host : "HPE's developer portal";
  let advice: string;
  if (mirrorDir) {
    advice =
      failure.kind === "pin"
        ? `GREENLAKE_SPECS_MIRROR (${mirrorDir}) holds another version than this greenlake-sdk pins; point it at a folder with the pinned documents`
        : `check that GREENLAKE_SPECS_MIRROR (${mirrorDir}) holds HPE's documents as <document key>.json`;
  } else {
    advice =
      failure.kind === "pin"
        ? `HPE has changed it since this greenlake-sdk pinned it; upgrade greenlake-sdk, or set GREENLAKE_SPECS_MIRROR to a folder holding the pinned documents`
        : `allow access to ${portal}, or set GREENLAKE_SPECS_MIRROR to a folder holding HPE's documents as <document key>.json`;
  }
  return `The GreenLake mocks could not obtain HPE's document ${failure.key}: ${failure.reason}${notTried}; ${advice}.`;
}

/** The folder of this package's package.json: the checkout in development, node_modules/greenlake-sdk when installed. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string }).name === PACKAGE_NAME) return dir;
    } catch {
      // No package.json here, or not ours (dist/cjs has one of its own): keep going up.
    }
    if (dirname(dir) === dir) throw new DocumentsUnavailableError(`The GreenLake mocks could not find the ${PACKAGE_NAME} package above ${from}; reinstall ${PACKAGE_NAME}.`);
  }
}

async function readManifestText(specsDir: string): Promise<string> {
  try {
    return await readFile(join(specsDir, "sources.json"), "utf8");
  } catch {
    throw new DocumentsUnavailableError(`The GreenLake mocks found no ${join(specsDir, "sources.json")}, which pins HPE's documents; reinstall ${PACKAGE_NAME}.`);
  }
}

let codeHash: string | undefined;

/** Hash of the code in this folder (corrections and their helpers), as .ts in a checkout or .js when built. */
function correctionCodeHash(): string {
  if (codeHash !== undefined) return codeHash;
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js|cjs|mjs)$/.test(f) && !/\.d\.[cm]?ts$/.test(f))
    .sort();
  codeHash = sha256(files.map((f) => `${f}:${sha256(readFileSync(join(dir, f)))}`).join("\n"));
  return codeHash;
}

/** Creates `dir` readable by its owner only, and tightens it if it already existed. */
async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** The pins of a corrected set: beside its folder, so the folder holds documents only. */
function pinsPath(setDir: string): string {
  return `${setDir}.pins.json`;
}

const PIN = /^[0-9a-f]{64}$/;

/** Document key -> sha256 of its corrected bytes; what is not a pin is dropped (its document is rebuilt). */
async function readPins(file: string): Promise<Record<string, string>> {
  const pins: Record<string, string> = Object.create(null) as Record<string, string>;
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) if (typeof value === "string" && PIN.test(value)) pins[key] = value;
    }
  } catch {
    // No pins yet, or unreadable: every document of the set is checked as unpinned and rebuilt.
  }
  return pins;
}

async function matchesPin(path: string, pin: string | undefined): Promise<boolean> {
  if (pin === undefined) return false;
  try {
    return sha256(await readFile(path)) === pin;
  } catch {
    return false;
  }
}

/** Removes corrected sets of other versions that no process has used for a month. */
async function removeUnusedSets(parent: string, keep: string): Promise<void> {
  const cutoff = Date.now() - UNUSED_SET_MAX_AGE_MS;
  for (const name of await readdir(parent)) {
    const dir = join(parent, name);
    if (dir === keep) continue;
    const info = await stat(dir).catch(() => undefined);
    if (info?.isDirectory() && info.mtimeMs < cutoff) {
      await rm(dir, { recursive: true, force: true });
      await rm(pinsPath(dir), { force: true });
    }
  }
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) if (value[key] !== undefined) picked[key] = value[key];
  return picked;
}

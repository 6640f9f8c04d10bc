/** Command-line options shared by specs:fetch and specs:update. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { UPSTREAM_ORIGIN_VARIABLE, type FetchOptions } from "../../src/specs/fetch-documents.js";
import { loadManifest } from "../../src/specs/manifest.js";
import { jsonText } from "../../src/cli/terminal-text.js";
import { defaultManifestPath, defaultSpecsDir } from "./paths.js";

/** Longest first wait `--retry-delay-ms` accepts: the waits double, and a fetch should fail within minutes. */
export const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Positional arguments are document keys. `--manifest` and `--specs-dir` point elsewhere than
 * specs/ (tests use temp dirs); the mirror comes from GREENLAKE_SPECS_MIRROR, relative to cwd.
 * `--retry-delay-ms` sets the first wait before a download is tried again (the later ones double it).
 */
export async function fetchOptionsFromArgs(argv: readonly string[], env = process.env): Promise<FetchOptions & { manifestPath: string }> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { manifest: { type: "string" }, "specs-dir": { type: "string" }, "timeout-ms": { type: "string" }, "retry-delay-ms": { type: "string" } },
  });
  const retryDelayMs = values["retry-delay-ms"] === undefined ? undefined : retryDelayFrom(values["retry-delay-ms"]);
  const manifestPath = values.manifest ? resolve(values.manifest) : defaultManifestPath;
  const mirror = env.GREENLAKE_SPECS_MIRROR;
  const timeoutMs = values["timeout-ms"] ? Number(values["timeout-ms"]) : undefined;
  const upstreamOrigin = env[UPSTREAM_ORIGIN_VARIABLE];
  return {
    manifestPath,
    manifest: await loadManifest(manifestPath),
    specsDir: values["specs-dir"] ? resolve(values["specs-dir"]) : defaultSpecsDir,
    keys: positionals,
    ...(mirror ? { mirrorDir: resolve(process.cwd(), mirror) } : {}),
    ...(timeoutMs && Number.isFinite(timeoutMs) ? { timeoutMs } : {}),
    ...(upstreamOrigin ? { upstreamOrigin } : {}),
    ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
  };
}

function retryDelayFrom(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms <= MAX_RETRY_DELAY_MS)) {
    throw new Error(`--retry-delay-ms must be a whole number of milliseconds from 0 to ${MAX_RETRY_DELAY_MS}, not ${jsonText(value)}`);
  }
  return ms;
}

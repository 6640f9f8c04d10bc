/** Command-line options shared by specs:fetch and specs:update. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { UPSTREAM_ORIGIN_VARIABLE, type FetchOptions } from "../../src/specs/fetch-documents.js";
import { loadManifest } from "../../src/specs/manifest.js";
import { defaultManifestPath, defaultSpecsDir } from "./paths.js";

/**
 * Positional arguments are document keys. `--manifest` and `--specs-dir` point elsewhere than
 * specs/ (tests use temp dirs); the mirror comes from GREENLAKE_SPECS_MIRROR, relative to cwd.
 */
export async function fetchOptionsFromArgs(argv: readonly string[], env = process.env): Promise<FetchOptions & { manifestPath: string }> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { manifest: { type: "string" }, "specs-dir": { type: "string" }, "timeout-ms": { type: "string" } },
  });
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
  };
}

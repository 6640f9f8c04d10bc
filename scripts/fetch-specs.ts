/** `npm run specs:fetch [key...]`: fetch every pinned HPE document into specs/ (see docs/ARCHITECTURE.md). */
import { resolve } from "node:path";
import { fetchDocuments } from "./lib/fetch-documents.js";
import { loadManifest } from "./lib/manifest.js";
import { defaultManifestPath, defaultSpecsDir } from "./lib/paths.js";

async function main(): Promise<number> {
  const keys = process.argv.slice(2);
  const mirror = process.env.GREENLAKE_SPECS_MIRROR;
  const manifest = await loadManifest(defaultManifestPath);
  const report = await fetchDocuments({
    manifest,
    specsDir: defaultSpecsDir,
    keys,
    ...(mirror ? { mirrorDir: resolve(process.cwd(), mirror) } : {}),
  });
  for (const failure of report.failures) console.error(`specs:fetch: ${failure.message}`);
  const source = mirror ? `mirror ${mirror}` : "upstream";
  console.log(`specs:fetch: ${report.fetched.length} fetched from ${source}, ${report.present.length} already present and verified, ${report.failures.length} failed`);
  return report.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`specs:fetch: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

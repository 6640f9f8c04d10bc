/** `npm run specs:fetch [key...]`: fetch every pinned HPE document into specs/ (see docs/ARCHITECTURE.md). */
import { fetchOptionsFromArgs } from "./lib/cli-options.js";
import { fetchDocuments } from "../src/specs/fetch-documents.js";
import { runScript } from "./lib/run-script.js";

async function main(): Promise<number> {
  const options = await fetchOptionsFromArgs(process.argv.slice(2));
  const report = await fetchDocuments(options);
  for (const failure of report.failures) console.error(`specs:fetch: ${failure.message}`);
  // The failure line already says what stopped the fetch and what to do; a tally would only repeat it.
  if (report.skipped.length > 0) return 1;
  const source = options.mirrorDir ? `mirror ${process.env.GREENLAKE_SPECS_MIRROR}` : "upstream";
  const summary = `specs:fetch: ${report.fetched.length} fetched from ${source}, ${report.present.length} already present and verified, ${report.failures.length} failed`;
  console.log(summary);
  return report.failures.length === 0 ? 0 : 1;
}

runScript("specs:fetch", main);

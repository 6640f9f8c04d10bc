/**
 * `npm run specs:update [key...]`: fetch the latest documents (upstream, or the mirror in
 * GREENLAKE_SPECS_MIRROR), re-pin the changed ones in specs/sources.json and print a changelog
 * per service. Review it, then run specs:lint and generate.
 */
import { fetchOptionsFromArgs } from "./lib/cli-options.js";
import { formatChangelog, updateDocuments } from "./lib/update-documents.js";
import { runScript } from "./lib/run-script.js";

async function main(): Promise<number> {
  const options = await fetchOptionsFromArgs(process.argv.slice(2));
  const report = await updateDocuments(options);
  process.stdout.write(formatChangelog(report.updates));
  for (const failure of report.failures) console.error(`specs:update: ${failure.message}`);
  console.log(`specs:update: ${report.updates.length} re-pinned, ${report.unchanged.length} unchanged, ${report.failures.length} failed`);
  if (report.updates.length > 0) console.log("specs:update: next, npm run specs:lint (new upstream problems) and npm run generate");
  return report.failures.length === 0 ? 0 : 1;
}

runScript("specs:update", main);

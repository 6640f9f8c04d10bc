/** `scripts/generate.ts --force`: every document regenerated, in a fresh process. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../scripts/package-layout.js";
import { repeat, type Figure } from "./figure.js";

const tsx = join(repoRoot, "node_modules/tsx/dist/cli.mjs");

export const generate: Figure = {
  name: "generate",
  async run({ runs, progress }) {
    const values = await repeat(runs, async (run) => {
      progress(`full regeneration, run ${run + 1} of ${runs}`);
      const started = performance.now();
      execFileSync(process.execPath, [tsx, "scripts/generate.ts", "--force"], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
      return { seconds: (performance.now() - started) / 1000 };
    });
    return { metrics: [{ name: "generate (all documents)", unit: "s", runs: values.seconds }] };
  },
};

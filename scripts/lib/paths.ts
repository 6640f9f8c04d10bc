import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root, so scripts work from any cwd. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const defaultManifestPath = join(projectRoot, "specs", "sources.json");
export const defaultSpecsDir = join(projectRoot, "specs");
export const defaultGeneratedDir = join(projectRoot, "generated");

export { specPath } from "../../src/specs/manifest.js";

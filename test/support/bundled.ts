/**
 * A TypeScript entry point bundled once per test process, for tests that start it as a child process many
 * times: plain node starts the bundle in a fraction of the time node with tsx takes to load and transform
 * the same sources on every start. Packages stay external (resolved from the project's node_modules, as
 * under tsx), and each bundled module keeps its own `import.meta.url`, so code that finds files relative
 * to itself (the project root, package.json) behaves exactly as it does under tsx.
 */
import { mkdirSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { projectRoot } from "../../scripts/lib/paths.js";

const bundles = new Map<string, Promise<string>>();

/** Gives every bundled module the URL of its source file as `import.meta.url`. */
const ownUrls: Plugin = {
  name: "own-import-meta-url",
  setup(plugin) {
    plugin.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      return { contents: source.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)), loader: "ts" };
    });
  },
};

/** The path of a bundle of `entry` (absolute, or relative to the project), built on the first call in this process. */
export function bundled(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    bundle = bundleOnce(entry);
    bundles.set(entry, bundle);
  }
  return bundle;
}

async function bundleOnce(entry: string): Promise<string> {
  // In the project (git-ignored .tmp/), so the bundle's package imports resolve from its node_modules.
  const dir = join(projectRoot, ".tmp", "bundles");
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${basename(entry).replace(/\.[cm]?ts$/, "")}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.mjs`);
  process.once("exit", () => rmSync(outfile, { force: true }));
  await build({
    entryPoints: [resolve(projectRoot, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    logLevel: "silent",
    plugins: [ownUrls],
  });
  return outfile;
}

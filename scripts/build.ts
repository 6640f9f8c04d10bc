/**
 * Builds the publishable package into dist/: ESM and CommonJS JavaScript,
 * CommonJS one output file per source file, ESM entry points bundled (the
 * root one file, the service entries importing the runtime from it: either way
 * every subpath shares one copy of the runtime and `instanceof GreenLakeError`
 * holds across entries),
 * plus `.d.ts` declarations emitted by tsc without re-checking types
 * (`npm run typecheck` does that), the fast path for the large generated types.
 * The declarations exist once, beside the CommonJS files; each ESM entry point
 * has a one-line declaration re-exporting them. HPE's documents are not
 * included: the mocks obtain them at run time (src/specs/document-cache.ts).
 *
 * Usage: tsx scripts/build.ts [--sync-exports]
 *   --sync-exports  rewrite package.json `exports` from the generated entries instead of failing on drift
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { build, transform, type TransformOptions } from "esbuild";
import { stripDeclarationComments } from "./lib/declaration-comments.js";
import { cjsDir, esmDir, distDir, exportsMap, packageEntries, repoRoot, sourceDirs } from "./package-layout.js";

function listSources(dir: string): string[] {
  const abs = join(repoRoot, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && !e.name.endsWith(".test.ts"))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)));
}

/**
 * esbuild's per-file transform, not its build API: a build reads "type": "module"
 * and then gives CJS output Node's default-import semantics, which breaks
 * `import createClient from "openapi-fetch"` against that package's CJS build.
 */
async function transpile(source: string, format: "esm" | "cjs"): Promise<void> {
  const code = readFileSync(join(repoRoot, source), "utf8");
  // CommonJS has no import.meta; files that read their own URL get it from __filename.
  const needsUrl = format === "cjs" && code.includes("import.meta");
  const options: TransformOptions = {
    loader: "ts",
    format,
    platform: "node",
    target: "node20",
    sourcefile: source,
    ...(needsUrl
      ? {
          define: { "import.meta.url": "__importMetaUrl" },
          banner: '"use strict";\nconst __importMetaUrl = require("node:url").pathToFileURL(__filename).href;',
        }
      : {}),
  };
  const result = await transform(code, options);
  const target = join(repoRoot, format === "esm" ? esmDir : cjsDir, source.replace(/\.ts$/, ".js"));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, result.code);
}

async function emitJavaScript(sources: string[]): Promise<void> {
  await Promise.all(sources.flatMap((s) => [transpile(s, "esm"), transpile(s, "cjs")]));
  writeFileSync(join(repoRoot, cjsDir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
}

/** glp's program: its own bundle (glp runs as its own process, so it shares no object with a user's code). */
const CLI_MAIN = "src/cli/main";
const ROOT = "src/index";

/**
 * Modules of the root's graph another ESM entry may carry a copy of: data and pure helpers, whose
 * identity nobody compares. Every other module of the root's graph exists once, in the root's file
 * (errors for `instanceof`, the secrets redaction knows, process-wide budgets and tokens).
 */
const COPYABLE = [/^generated\/services\//, /^src\/metadata\.ts$/, /^src\/internal\/operations-codec\.ts$/, /^src\/internal\/timeouts\.ts$/];

/**
 * The ESM entry points bundled over the per-file output, at the same paths. `greenlake-sdk` is one
 * file with everything it needs: each module a process loads costs more than its size (resolution,
 * reading, linking), so one file loads in about half the time of the ten that splitting made of it.
 * The service entries import the runtime from that file (`createServiceClient` is public), so the
 * runtime still exists once and `instanceof GreenLakeError` holds across entries; the testing and
 * webhooks entries share chunks of data and pure helpers between them. Dependencies stay external;
 * CommonJS stays one file per source.
 */
async function bundleEsmEntries(): Promise<void> {
  const out = join(repoRoot, esmDir);
  // absWorkingDir: metafile inputs are named relative to the repository root, as COPYABLE names them.
  const common = { absWorkingDir: repoRoot, bundle: true, format: "esm", platform: "node", target: "node20", packages: "external", allowOverwrite: true, logLevel: "warning", metafile: true } as const;
  const root = await build({ ...common, entryPoints: [join(repoRoot, `${ROOT}.ts`)], outdir: out, outbase: repoRoot });
  const single = new Set(Object.keys(root.metafile.inputs).filter((input) => !COPYABLE.some((re) => re.test(input))));
  const serviceClient = join(repoRoot, "src/service-client.ts");
  const others = await build({
    ...common,
    entryPoints: packageEntries()
      .filter((e) => e.source !== ROOT)
      .map((e) => join(repoRoot, `${e.source}.ts`)),
    outdir: out,
    outbase: repoRoot,
    chunkNames: "src/chunks/[name]-[hash]",
    splitting: true,
    plugins: [
      {
        name: "runtime-from-the-root",
        setup(b) {
          // `../../src/service-client.js` from generated/entries/x.ts, whose output sits at the same depth
          // (dist/esm/generated/entries/x.js): the same relative path reaches the root's file.
          b.onResolve({ filter: /\/service-client\.js$/ }, (args) => {
            if (join(args.resolveDir, args.path.replace(/\.js$/, ".ts")) !== serviceClient) return undefined;
            if (args.resolveDir !== join(repoRoot, "generated/entries")) return { errors: [{ text: `${args.importer}: only the service entries import the runtime from the root's file` }] };
            return { path: args.path.replace(/service-client\.js$/, "index.js"), external: true };
          });
        },
      },
    ],
  });
  const copied = Object.keys(others.metafile.inputs).filter((input) => single.has(input));
  if (copied.length > 0) throw new Error(`build: entries other than the root would carry their own copy of ${copied.join(", ")}; import it from the root instead`);
  await build({
    ...common,
    entryPoints: [join(repoRoot, `${CLI_MAIN}.ts`)],
    outdir: out,
    outbase: repoRoot,
    // Beside glp's main.js: glp loads a service's command metadata by a computed relative path
    // (`../../generated/cli/<service>.js`, left per file), which must resolve from the chunk as from the source.
    chunkNames: "src/cli/[name]-[hash]",
    splitting: true,
  });
}

/**
 * Declarations into dist/cjs (tsconfig.build.json), where dist/cjs/package.json makes TypeScript
 * read them as CommonJS. ESM entry points re-export them: TypeScript lets ESM import CommonJS
 * declarations, not the other way round, so one copy serves both (they were 13 of 21 MB).
 */
function emitDeclarations(): void {
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: repoRoot, stdio: "inherit" });
  // The generated types' comments are the documents' prose: every program importing the root would scan it all.
  stripDeclarationComments(join(repoRoot, cjsDir, "generated/types"));
  for (const { source } of packageEntries()) {
    const target = join(repoRoot, esmDir, `${source}.d.ts`);
    const specifier = relative(dirname(target), join(repoRoot, cjsDir, `${source}.js`)).split(sep).join("/");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `export * from "${specifier}";\n`);
  }
}

function checkExports(sync: boolean): void {
  const pkgPath = join(repoRoot, "package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports?: unknown };
  const expected = exportsMap(packageEntries());
  if (JSON.stringify(pkg.exports) === JSON.stringify(expected)) return;
  if (!sync) {
    throw new Error(
      "package.json `exports` does not match the entry points (src/index.ts, src/testing/index.ts, src/webhooks/index.ts, generated/entries/*.ts). " +
        "Run `npx tsx scripts/build.ts --sync-exports` and commit package.json.",
    );
  }
  pkg.exports = expected;
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  console.log("build: package.json exports rewritten");
}

async function main(): Promise<void> {
  const sync = process.argv.includes("--sync-exports");
  const started = performance.now();
  const missing = packageEntries().filter((e) => !existsSync(join(repoRoot, `${e.source}.ts`)));
  if (missing.length > 0) throw new Error(`build: missing entry sources: ${missing.map((e) => e.source).join(", ")}`);
  checkExports(sync);
  rmSync(join(repoRoot, distDir), { recursive: true, force: true });
  const sources = sourceDirs.flatMap(listSources);
  const jsStarted = performance.now();
  await emitJavaScript(sources);
  await bundleEsmEntries();
  const dtsStarted = performance.now();
  emitDeclarations();
  const done = performance.now();
  console.log(
    `build: ${sources.length} modules -> ${distDir}/ (esm+cjs ${((dtsStarted - jsStarted) / 1000).toFixed(1)} s, ` +
      `declarations ${((done - dtsStarted) / 1000).toFixed(1)} s, total ${((done - started) / 1000).toFixed(1)} s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

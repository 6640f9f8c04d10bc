/**
 * Where the published package's entry points live: the root runtime, the
 * testing helpers, the webhook receiver, and one generated entry per service. The build, the
 * package checks and the bench all read the layout from here.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const distDir = "dist";
export const esmDir = `${distDir}/esm`;
export const cjsDir = `${distDir}/cjs`;

/** Folders compiled into the package, relative to the repository root. */
export const sourceDirs = ["src", "generated/types", "generated/services", "generated/entries", "generated/cli"] as const;

export interface PackageEntry {
  /** Subpath as written in `exports` (`.`, `./testing`, `./webhooks`, `./compute-ops-mgmt`). */
  subpath: string;
  /** TypeScript source, relative to the repository root, without extension. */
  source: string;
}

export function serviceKeys(root = repoRoot): string[] {
  const dir = join(root, "generated/entries");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

export function packageEntries(root = repoRoot): PackageEntry[] {
  const entries: PackageEntry[] = [{ subpath: ".", source: "src/index" }];
  if (existsSync(join(root, "src/testing/index.ts"))) entries.push({ subpath: "./testing", source: "src/testing/index" });
  if (existsSync(join(root, "src/webhooks/index.ts"))) entries.push({ subpath: "./webhooks", source: "src/webhooks/index" });
  for (const key of serviceKeys(root)) entries.push({ subpath: `./${key}`, source: `generated/entries/${key}` });
  return entries;
}

type Conditions = { types: string; default: string };
export type ExportsMap = Record<string, { import: Conditions; require: Conditions } | string>;

/** `.d.ts` next to `.js` in each format folder; `dist/cjs/package.json` marks that folder CommonJS. */
export function exportsMap(entries: readonly PackageEntry[]): ExportsMap {
  const map: ExportsMap = {};
  for (const { subpath, source } of entries) {
    map[subpath] = {
      import: { types: `./${esmDir}/${source}.d.ts`, default: `./${esmDir}/${source}.js` },
      require: { types: `./${cjsDir}/${source}.d.ts`, default: `./${cjsDir}/${source}.js` },
    };
  }
  map["./package.json"] = "./package.json";
  return map;
}

/** glp's version: the package's, read from its package.json (found from this file, in the repository or installed). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder of the package's package.json (the repository, or where the package is installed). */
export function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string };
      if (pkg.name === "greenlake-sdk") return dir;
    }
    dir = dirname(dir);
  }
  return undefined;
}

export function readPackageVersion(): string {
  const root = packageRoot();
  if (root === undefined) return "0.0.0";
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string }).version ?? "0.0.0";
}

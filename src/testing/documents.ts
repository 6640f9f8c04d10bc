/**
 * Where the documents the mocks serve are, and which operations each holds,
 * both taken from the generated service metadata.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serviceKeys, serviceMetadata, type ServiceKey } from "../../generated/services/index.js";
import type { OperationMetadata } from "../metadata.js";

const DOCUMENTS_SUBDIR = join("generated", "openapi");

function searchUp(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, DOCUMENTS_SUBDIR);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The folder of corrected documents written by `npm run generate`. */
export function findDocumentsDir(explicit?: string): string {
  const dir =
    explicit ??
    process.env.GREENLAKE_MOCK_DOCUMENTS ??
    searchUp(dirname(fileURLToPath(import.meta.url))) ??
    searchUp(process.cwd());
  if (dir === undefined || !existsSync(dir)) {
    throw new Error(
      "The GreenLake mocks found no OpenAPI documents. Run `npm run generate` (it writes generated/openapi/), " +
        "or pass `documentsDir` / set GREENLAKE_MOCK_DOCUMENTS to a folder of <document key>.json files.",
    );
  }
  return dir;
}

/** Accepts service keys (`compute-ops-mgmt`) and reports unknown ones with the known list. */
export function selectServices(services: readonly string[] | undefined): ServiceKey[] {
  if (services === undefined) return [...serviceKeys];
  const known = new Set<string>(serviceKeys);
  const unknown = services.filter((s) => !known.has(s));
  if (unknown.length > 0) throw new TypeError(`Unknown GreenLake service ${unknown.map((s) => `"${s}"`).join(", ")}; known services: ${serviceKeys.join(", ")}.`);
  return [...new Set(services)] as ServiceKey[];
}

export function documentsOf(services: readonly ServiceKey[]): string[] {
  return [...new Set(services.flatMap((s) => serviceMetadata[s].documents))];
}

/** Every operation of every service: routing knows all of them, so a request to a service not started gets a clear answer. */
export function allOperations(): OperationMetadata[] {
  return serviceKeys.flatMap((s) => serviceMetadata[s].operations as readonly OperationMetadata[]);
}

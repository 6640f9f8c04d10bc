/**
 * Where the documents the mocks serve are, and which operations each holds,
 * both taken from the generated service metadata.
 */
import { existsSync } from "node:fs";
import { serviceKeys, serviceMetadata, type ServiceKey } from "../../generated/services/index.js";
import type { OperationMetadata } from "../metadata.js";
import { correctedDocuments } from "../specs/document-cache.js";

/**
 * The folder of corrected `<document key>.json` the mocks serve: `explicit` or
 * GREENLAKE_MOCK_DOCUMENTS when set, otherwise the per-user cache, filled with
 * HPE's pinned documents as needed (see docs/testing.md).
 */
export async function findDocumentsDir(keys: readonly string[], explicit?: string): Promise<string> {
  const dir = explicit ?? process.env.GREENLAKE_MOCK_DOCUMENTS;
  if (dir === undefined) return correctedDocuments({ keys });
  if (!existsSync(dir)) {
    throw new Error(`The GreenLake mocks found no documents folder ${dir} (from ${explicit === undefined ? "GREENLAKE_MOCK_DOCUMENTS" : "documentsDir"}); unset it to use HPE's pinned documents.`);
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

/** Applies the project's corrections (src/specs/corrections.ts) to a copy of an upstream document. */
import { canonicalJson } from "./canonical.js";
import type { OpenApiDocument } from "./openapi.js";

export interface Correction {
  /** One line: which upstream defect or gap this fixes, and why it matters. */
  readonly reason: string;
  /** Document keys it applies to, or `"all"`. */
  readonly documents: readonly string[] | "all";
  /**
   * Edits the document in place. Returns false when there was nothing to correct, so a
   * correction HPE has since fixed upstream is reported instead of lingering.
   */
  readonly apply: (document: OpenApiDocument, key: string) => boolean;
  /**
   * Where the difference was seen, for a correction that follows what HPE's own clients send
   * rather than what the document says: the document's place, and each client file and line.
   */
  readonly sources?: CorrectionSources;
}

export interface ClientLine {
  /** `owner/name` on GitHub. */
  readonly repository: string;
  readonly commit: string;
  readonly file: string;
  readonly lines: readonly number[];
  /** What those lines send, in a few words. */
  readonly shows: string;
}

export interface CorrectionSources {
  /** The document's place that differs, e.g. `device-management: PATCH /devices/v1/devices, query parameter id`. */
  readonly document: string;
  readonly clients: readonly ClientLine[];
}

export interface CorrectionResult {
  readonly document: OpenApiDocument;
  /** Reasons of corrections that changed the document. */
  readonly applied: string[];
  /** Reasons of corrections naming this document that found nothing to change. */
  readonly unused: string[];
}

export function applyCorrections(key: string, upstream: OpenApiDocument, corrections: readonly Correction[]): CorrectionResult {
  const document = structuredClone(upstream);
  const applied: string[] = [];
  const unused: string[] = [];
  for (const correction of corrections) {
    if (correction.documents !== "all" && !correction.documents.includes(key)) continue;
    let changed: boolean;
    try {
      changed = correction.apply(document, key);
    } catch (error) {
      throw new Error(`${key}: correction "${correction.reason}" failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (changed) applied.push(correction.reason);
    // A document-wide rule finding nothing is normal; a targeted one finding nothing is news.
    else if (correction.documents !== "all") unused.push(correction.reason);
  }
  return { document, applied, unused };
}

/** Corrections naming a document key the manifest does not have (typos, removed documents). */
export function unknownCorrectionTargets(corrections: readonly Correction[], keys: readonly string[]): string[] {
  const known = new Set(keys);
  return corrections.flatMap((c) => (c.documents === "all" ? [] : c.documents.filter((key) => !known.has(key))));
}

/**
 * A pinned upstream document corrected and serialized as generated/openapi/ and the mocks' cache
 * hold it. Key order is not part of the pin; sorting first makes the output depend on the content alone.
 */
export function correctDocument(key: string, upstream: OpenApiDocument, corrections: readonly Correction[]): CorrectionResult & { readonly json: string } {
  const result = applyCorrections(key, JSON.parse(canonicalJson(upstream)) as OpenApiDocument, corrections);
  return { ...result, json: `${JSON.stringify(result.document, null, 2)}\n` };
}

/**
 * Reads the rate limits HPE's documents state in prose ("50 requests per
 * minute is supported per workspace") into operation metadata, and adds the
 * project's overlay for limits stated only in guides. Sentences that speak of
 * a limit but give no number we can read are reported, never guessed.
 */
import type { RateLimitMetadata, RateLimitScope } from "../../src/metadata.js";
import type { OpenApiDocument, OperationRef } from "../../src/specs/openapi.js";
import { operationParameters } from "../../src/specs/openapi.js";
import { RATE_LIMIT_OVERLAY, type RateLimitOverlayEntry } from "./rate-limit-overlay.js";

const WORD_NUMBERS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100,
};

const WINDOW_SECONDS: Readonly<Record<string, number>> = { second: 1, minute: 60, hour: 3600, day: 86_400 };

const LIMIT = new RegExp(
  String.raw`\b(\d[\d,]*|${Object.keys(WORD_NUMBERS).join("|")})\s+(?:api\s+)?(?:requests?|calls?)\s+(?:per|an?|each|every)\s+(second|minute|hour|day)\b`,
  "i",
);

/** A sentence that speaks of a limit on request rates (with or without a number). */
const MENTIONS_LIMIT = /rate[ -]?limit|throttl|(?:requests?|calls?)\s+(?:per|an?|each|every)\s+(?:second|minute|hour|day)\b/i;

/** Sentences of an operation's prose: HTML and Markdown markers removed, list items and line breaks as boundaries. */
export function sentencesOf(text: string): string[] {
  const plain = text
    .replace(/<br\s*\/?>|<\/?(?:p|li|ul|ol|div)[^>]*>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/[*_`]+/g, "");
  return plain
    .split(/\n|(?<=[.!?;])\s+|\s+-\s+|:\s+(?=\d)/)
    .map((s) => s.replace(/\s+/g, " ").trim().replace(/^[-•]\s*/, ""))
    .filter((s) => s !== "");
}

function scopeOf(sentence: string): RateLimitScope {
  if (/\bper\s+(?:workspace|tenant)\b/i.test(sentence)) return "workspace";
  if (/\boverall\b|\bin total\b|\bacross all\b/i.test(sentence)) return "operation";
  // HPE's rate-limiting guide: unless a limit says otherwise, it applies per API client (a user's own client).
  return "api-client";
}

/** The limit a sentence states, if it states one we can read. */
export function parseLimitSentence(sentence: string): { requests: number; windowSeconds: number; scope: RateLimitScope } | undefined {
  const match = LIMIT.exec(sentence);
  if (!match) return undefined;
  const raw = match[1]!.toLowerCase().replaceAll(",", "");
  const requests = /^\d+$/.test(raw) ? Number(raw) : WORD_NUMBERS[raw];
  if (requests === undefined || !Number.isSafeInteger(requests) || requests <= 0) return undefined;
  return { requests, windowSeconds: WINDOW_SECONDS[match[2]!.toLowerCase()]!, scope: scopeOf(sentence.slice(match.index)) };
}

export interface ProseLimits {
  readonly limits: RateLimitMetadata[];
  /** Sentences that speak of a rate limit yet give none we can read (only when the operation got no limit from them). */
  readonly unparsed: string[];
}

/** Limits stated in an operation's summary and description. */
export function limitsFromProse(ref: OperationRef): ProseLimits {
  const where = `${ref.method.toUpperCase()} ${ref.path}`;
  const limits: RateLimitMetadata[] = [];
  const mentions: string[] = [];
  for (const field of ["summary", "description"] as const) {
    const text = (ref.operation as Record<string, unknown>)[field];
    if (typeof text !== "string") continue;
    for (const sentence of sentencesOf(text)) {
      if (!MENTIONS_LIMIT.test(sentence)) continue;
      const limit = parseLimitSentence(sentence);
      if (limit === undefined) {
        mentions.push(sentence);
        continue;
      }
      const duplicate = limits.some((l) => l.requests === limit.requests && l.windowSeconds === limit.windowSeconds && l.scope === limit.scope);
      if (!duplicate) limits.push({ ...limit, source: `${field} of ${where}` });
    }
  }
  // "Rate limits are enforced on this API." introduces the number that follows; it is unread only when no number came.
  const unparsed = limits.length > 0 ? mentions.filter((s) => /(?:requests?|calls?)\s+per\b/i.test(s)) : mentions;
  return { limits, unparsed };
}

function overlayMatches(entry: RateLimitOverlayEntry, service: string, ref: OperationRef): boolean {
  if (entry.service !== service) return false;
  if (entry.methods !== undefined && !entry.methods.includes(ref.method)) return false;
  return entry.pathPrefix === undefined || ref.path.startsWith(entry.pathPrefix);
}

/** Limits from the project's overlay (guides, not the documents) for an operation of `service`. */
export function limitsFromOverlay(service: string, ref: OperationRef, overlay: readonly RateLimitOverlayEntry[] = RATE_LIMIT_OVERLAY): RateLimitMetadata[] {
  return overlay
    .filter((entry) => overlayMatches(entry, service, ref))
    .map((entry) => ({
      requests: entry.requests,
      windowSeconds: entry.windowSeconds,
      scope: entry.scope,
      ...(entry.group !== undefined ? { group: entry.group } : {}),
      source: `overlay: ${entry.reason}`,
    }));
}

/** Every limit known for the operation: the documents' own first, then the overlay's. */
export function rateLimitsFor(service: string, ref: OperationRef): { limits: RateLimitMetadata[]; unparsed: string[] } {
  const prose = limitsFromProse(ref);
  return { limits: [...prose.limits, ...limitsFromOverlay(service, ref)], unparsed: prose.unparsed };
}

/** Whether the operation declares an `Idempotency-Key` request header. */
export function declaresIdempotencyKey(document: OpenApiDocument, ref: OperationRef): boolean {
  return operationParameters(document, ref).some((p) => p.in === "header" && typeof p.name === "string" && p.name.toLowerCase() === "idempotency-key");
}

export interface RateLimitCoverage {
  readonly operations: number;
  /** `METHOD /path` of every operation with a known limit, by where it came from. */
  readonly fromDocuments: string[];
  readonly fromOverlay: string[];
  /** `METHOD /path: sentence` for each limit sentence that could not be read. */
  readonly unparsed: string[];
}

/** Coverage of stated limits over a service's documents, for the generator's summary and the mirror test. */
export function rateLimitCoverage(entries: readonly { service: string; document: OpenApiDocument; refs: readonly OperationRef[] }[]): RateLimitCoverage {
  const fromDocuments: string[] = [];
  const fromOverlay: string[] = [];
  const unparsed: string[] = [];
  let operations = 0;
  for (const { service, refs } of entries) {
    for (const ref of refs) {
      operations++;
      const where = `${ref.method.toUpperCase()} ${ref.path}`;
      const prose = limitsFromProse(ref);
      if (prose.limits.length > 0) fromDocuments.push(where);
      else if (limitsFromOverlay(service, ref).length > 0) fromOverlay.push(where);
      for (const sentence of prose.unparsed) unparsed.push(`${where}: ${sentence}`);
    }
  }
  return { operations, fromDocuments, fromOverlay, unparsed };
}

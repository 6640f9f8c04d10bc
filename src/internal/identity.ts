/**
 * The identity budgets and the shared token are kept for: the API client and
 * workspace as resolved values, written one way. GreenLake ids are UUIDs,
 * which compare without regard to case or hyphens, so `3F2504E0-4F89-...`
 * and `3f2504e04f89...` name one API client and share one budget.
 */
import { resolveProvider, type Provider } from "./credentials.js";

const HEX32 = /^[0-9a-f]{32}$/;

/** One spelling of an id: UUIDs lower-case without hyphens, anything else trimmed; `undefined` when not a usable string. */
export function normalizeIdentity(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  if (trimmed === "" || trimmed.length > 256) return undefined;
  const compact = trimmed.replaceAll("-", "").toLowerCase();
  return HEX32.test(compact) ? compact : trimmed;
}

/** Resolves a setting that may be a provider, then normalises it; `undefined` when the provider fails or gives no usable id. */
export async function resolveIdentity(value: Provider<string> | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  try {
    return normalizeIdentity(await resolveProvider(value));
  } catch {
    return undefined;
  }
}

/**
 * Keeping credentials out of every output: messages, log lines, error
 * details, cause chains and `util.inspect`/`JSON.stringify` of the SDK's objects.
 * The one place that decides what is a secret and how it is hidden.
 */
import { createRequire } from "node:module";
import { inspect } from "node:util";

const REDACTED = "[REDACTED]";

/** A credential's pieces of this many characters or more are never shown; shorter ones are too common to hide. */
export const MIN_SECRET_PIECE = 8;

// Anything shaped like a bearer token, JWT or credential assignment, whoever's it is.
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  [/((?:client_secret|access_token|subject_token|refresh_token|password)["']?\s*[=:]\s*["']?)[^\s&"',}]+/gi, `$1${REDACTED}`],
  // The user information in a URL (a proxy's credentials), whoever's URL it is.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, `$1${REDACTED}@`],
];

/**
 * Every window of MIN_SECRET_PIECE characters of each credential in use, so
 * a message holding any long enough piece of one (a server echoing a
 * truncated token) is found in one pass over the message.
 */
const windows = new Map<string, number>();
const known: string[] = [];
// Bounded so token rotation over a long-lived process cannot grow it without end.
const MAX_KNOWN = 64;

function addWindows(secret: string, delta: 1 | -1): void {
  for (let i = 0; i + MIN_SECRET_PIECE <= secret.length; i++) {
    const w = secret.slice(i, i + MIN_SECRET_PIECE);
    const n = (windows.get(w) ?? 0) + delta;
    if (n <= 0) windows.delete(w);
    else windows.set(w, n);
  }
}

/** Registers a credential (a client secret, an issued or supplied token) so no output shows it. */
export function registerSecret(value: string): void {
  if (value.length < MIN_SECRET_PIECE || known.includes(value)) return;
  if (known.length >= MAX_KNOWN) addWindows(known.shift()!, -1);
  known.push(value);
  addWindows(value, 1);
}

/**
 * Forgets every registered credential. For test runners that run many files in one process, so one
 * file's credentials do not change what another file's output shows; the SDK itself never forgets one.
 */
export function forgetSecrets(): void {
  windows.clear();
  known.length = 0;
}

/** Hides every piece of a registered credential and anything credential-shaped in `text`. */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  if (windows.size === 0 || out.length < MIN_SECRET_PIECE) return out;
  // Mark every character covered by some window of a credential, then collapse each marked run.
  let covered: Uint8Array | undefined;
  for (let i = 0; i + MIN_SECRET_PIECE <= out.length; i++) {
    if (windows.has(out.slice(i, i + MIN_SECRET_PIECE))) {
      covered ??= new Uint8Array(out.length);
      covered.fill(1, i, i + MIN_SECRET_PIECE);
    }
  }
  if (covered === undefined) return out;
  let result = "";
  for (let i = 0; i < out.length; ) {
    if (covered[i] === 1) {
      while (i < out.length && covered[i] === 1) i++;
      result += REDACTED;
    } else result += out[i++];
  }
  return result;
}

/** Nesting kept by redactDeep; anything deeper is replaced, never kept unredacted. */
export const MAX_REDACT_DEPTH = 20;
const TRUNCATED = "[TRUNCATED]";

/**
 * A deep copy of a JSON-like value with every string redacted (error bodies
 * a server may fill with a token). Past MAX_REDACT_DEPTH levels a value is
 * replaced by "[TRUNCATED]" (which also ends a cycle).
 */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === "string") return redact(value) as T;
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_REDACT_DEPTH) return TRUNCATED as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // Defined, not assigned: a `__proto__` key a server sent stays a key instead of becoming the copy's prototype.
    Object.defineProperty(out, redact(k), { value: redactDeep(v, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}

/**
 * A copy of an error safe to keep as a `cause`: name, code and the redacted
 * message and stack, with its own cause made safe in turn. The original may
 * quote a credential (a custom fetch, a server's answer).
 */
export function safeCause(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === "string" ? redact(error) : error;
  if (depth > 5) return undefined;
  const copy = new Error(redact(error.message), error.cause === undefined ? undefined : { cause: safeCause(error.cause, depth + 1) });
  copy.name = error.name;
  copy.stack = error.stack === undefined ? undefined : redact(error.stack);
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") (copy as { code?: unknown }).code = code;
  return copy;
}

/** The value of a credential held as a Secret or supplied by a provider. */
export async function revealSecret(value: Secret | (() => string | Promise<string>)): Promise<string> {
  return value instanceof Secret ? value.reveal() : await value();
}

/**
 * A credential held so it never prints: `String`, `JSON.stringify` and
 * `util.inspect` (at any depth) show `[REDACTED]`; only `reveal()` returns it.
 */
export class Secret {
  readonly #value: string;
  /** `register: false` for a value that is not itself a credential (a proxy URL whose credentials are registered apart). */
  constructor(value: string, register = true) {
    this.#value = value;
    if (register) registerSecret(value);
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Libraries' own `debug` output names the proxy URL (with any credentials in
 * it) or the token request's form body: their namespaces stay off whatever
 * `DEBUG` enables. Each library is asked for the `debug` it resolves itself.
 */
export function silenceLibraryDebug(library: string, namespaces: string): void {
  try {
    const require = createRequire(import.meta.url);
    const debug = createRequire(require.resolve(library))("debug") as { namespaces?: string; enable(ns: string): void };
    const current = typeof debug.namespaces === "string" ? debug.namespaces : "";
    if (current !== "" && !current.includes(`-${namespaces}`)) debug.enable(`${current},-${namespaces}`);
  } catch {
    // No `debug` beside the library: nothing of it can print.
  }
}


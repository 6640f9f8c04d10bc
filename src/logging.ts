/**
 * Leveled logging over any console-compatible logger. Silent by default;
 * callers pass only prepared strings, never headers or bodies, and every
 * line is redacted on its way out.
 */
import { headerNumber } from "./internal/rate-limit-headers.js";
import { redact } from "./internal/redaction.js";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/** Anything shaped like `console` works (only the levels in use are needed). */
export interface Logger {
  debug?(message: string, ...rest: unknown[]): void;
  info?(message: string, ...rest: unknown[]): void;
  warn?(message: string, ...rest: unknown[]): void;
  error?(message: string, ...rest: unknown[]): void;
}

export interface LoggingOptions {
  logger?: Logger | undefined;
  /** Lowest level written; default `warn` when a logger is given, otherwise nothing is written. */
  logLevel?: LogLevel | undefined;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Every level, lowest first (options.ts checks the setting against it). */
export const LOG_LEVELS = Object.keys(RANK) as readonly LogLevel[];

/** The runtime's internal view: booleans checked before building a message keep silent logging free. */
export interface Log {
  readonly debugEnabled: boolean;
  readonly infoEnabled: boolean;
  readonly warnEnabled: boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const noop = (): void => {};

export const silentLog: Log = {
  debugEnabled: false,
  infoEnabled: false,
  warnEnabled: false,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
};

export function createLog(options: LoggingOptions): Log {
  const logger = options.logger;
  if (!logger) return silentLog;
  // The setting was checked with the others (options.ts); anything else reads as the default.
  const min = RANK[options.logLevel ?? "warn"] ?? RANK.warn;
  const pick = (level: Exclude<LogLevel, "silent">): ((m: string) => void) => {
    const fn = logger[level];
    return RANK[level] >= min && typeof fn === "function" ? (m) => fn.call(logger, redact(m)) : noop;
  };
  return {
    debugEnabled: min <= RANK.debug,
    infoEnabled: min <= RANK.info,
    warnEnabled: min <= RANK.warn,
    debug: pick("debug"),
    info: pick("info"),
    warn: pick("warn"),
    error: pick("error"),
  };
}

/** Rate-limit headers GreenLake sends on responses, as numbers when present. */
export interface RateLimitInfo {
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  /** Seconds until the window resets. */
  readonly reset: number | undefined;
}

/** As the server sent them (`ratelimit-*`, else `X-RateLimit-*`); pacing reads the same headers the same way. */
export function rateLimitOf(response: Response): RateLimitInfo {
  const h = response.headers;
  return { limit: headerNumber(h, "limit"), remaining: headerNumber(h, "remaining"), reset: headerNumber(h, "reset") };
}

/** Remembers which operations already warned about `Deprecation`/`Sunset`, so each warns once. */
export class DeprecationNotices {
  readonly #seen = new Set<string>();
  constructor(private readonly log: Log) {}

  /** Whether `key` has not warned yet; marks it as warned. */
  #first(key: string): boolean {
    if (!this.log.warnEnabled || this.#seen.has(key)) return false;
    this.#seen.add(key);
    return true;
  }

  /** Warns once for an operation the generated metadata marks deprecated. */
  checkDeclared(method: string, schemaPath: string): void {
    const key = `${method} ${schemaPath}`;
    if (this.#first(key)) this.log.warn(`${key} is marked deprecated in the API description; plan a move to its successor.`);
  }

  check(method: string, schemaPath: string, response: Response): void {
    if (!this.log.warnEnabled) return;
    const deprecation = response.headers.get("deprecation");
    const sunset = response.headers.get("sunset");
    if (deprecation === null && sunset === null) return;
    const key = `${method} ${schemaPath}`;
    if (!this.#first(key)) return;
    let message = `${key} is deprecated`;
    if (deprecation !== null && deprecation !== "true" && deprecation !== "?1") message += ` since ${deprecation}`;
    if (sunset !== null) message += `; it stops working after ${sunset}`;
    const link = response.headers.get("link");
    if (link !== null && /rel="?(deprecation|sunset|successor-version)/i.test(link)) message += ` (see ${link})`;
    this.log.warn(message);
  }
}

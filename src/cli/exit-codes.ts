/** glp's exit codes (docs/cli.md), and which one an error maps to. */
import {
  GreenLakeAuthError,
  GreenLakeConfigurationError,
  GreenLakeConnectionError,
  GreenLakeError,
  GreenLakeForbiddenError,
  GreenLakeNotFoundError,
  GreenLakeRateLimitedError,
  GreenLakeServerError,
  GreenLakeTimeoutError,
} from "../errors.js";

export const EXIT = {
  ok: 0,
  /** The API refused the request (4xx other than below), or an operation ended failed. */
  failed: 1,
  /** Wrong command, option or value; nothing was sent. */
  usage: 2,
  /** Credentials missing or rejected (401, 403, token request failed). */
  auth: 3,
  notFound: 4,
  rateLimited: 5,
  /** 5xx from GreenLake. */
  server: 6,
  /** No answer: connection lost, DNS, timeout. */
  network: 7,
  /** `--all-tenants`: at least one tenant failed (the others' results were printed). */
  someTenantsFailed: 8,
  /** Configuration: no credentials found, a region that is unknown or does not serve the service, a malformed setting; nothing was sent. */
  configuration: 9,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

/** A mistake in the command line: reported in one line with exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof GreenLakeConfigurationError) return EXIT.configuration;
  if (error instanceof GreenLakeAuthError || error instanceof GreenLakeForbiddenError) return EXIT.auth;
  if (error instanceof GreenLakeNotFoundError) return EXIT.notFound;
  if (error instanceof GreenLakeRateLimitedError) return EXIT.rateLimited;
  if (error instanceof GreenLakeServerError) return EXIT.server;
  if (error instanceof GreenLakeTimeoutError || error instanceof GreenLakeConnectionError) return EXIT.network;
  if ((error as { name?: string })?.name === "AbortError") return EXIT.interrupted;
  if (error instanceof GreenLakeError) return EXIT.failed;
  return EXIT.failed;
}

import { inspect } from "node:util";
import { afterAll, expect } from "vitest";
import { issuedTokens, usedSecrets } from "./fixtures.js";

/** Every log line and error text this test file produced, for the no-leak check. */
export const capturedText: string[] = [];

export function captureLogger() {
  const lines: string[] = [];
  const record = (level: string) => (message: string, ...rest: unknown[]) => {
    const line = `${level} ${message}${rest.length ? ` ${inspect(rest, { depth: 5 })}` : ""}`;
    lines.push(line);
    capturedText.push(line);
  };
  return { logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") }, lines };
}

/**
 * Records an error the way a user would see it: message, stack, the fields the
 * SDK fills in, and the cause chain. (Server-supplied bodies such as an
 * operation's `resource` are the server's data and are not checked.)
 */
export function captureError<T>(error: T): T {
  let e: unknown = error;
  for (let depth = 0; e !== undefined && e !== null && depth < 6; depth++) {
    capturedText.push(String(e));
    if (e instanceof Error) {
      if (e.stack) capturedText.push(e.stack);
      const { method, path, status, errorCode, debugId, headers } = e as Error & Record<string, unknown>;
      capturedText.push(inspect({ method, path, status, errorCode, debugId, headers }));
    }
    e = (e as { cause?: unknown }).cause;
  }
  return error;
}

/** Secrets and tokens long enough not to match ordinary words. */
export function leakedValues(text: readonly string[]): string[] {
  const needles = [...usedSecrets, ...issuedTokens].filter((s) => s.length >= 6);
  return needles.filter((needle) => text.some((line) => line.includes(needle)));
}

// Every file that captures output also proves, once it is done, that none of it leaked a credential.
afterAll(() => {
  expect(leakedValues(capturedText)).toEqual([]);
});

/**
 * The modules loaded on first use (undici for calls, simple-oauth2 for token requests) are loaded
 * once however many callers ask at the same time, and a load that fails (a passing EMFILE, a
 * package installed while the process runs) is tried again by the next caller instead of failing
 * every later call of the process.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.doUnmock("undici");
  vi.doUnmock("simple-oauth2");
  vi.doUnmock("simple-oauth2/lib/client/index.js");
  vi.doUnmock("simple-oauth2/lib/client-credentials-grant-type.js");
  vi.resetModules();
});

/** Makes `specifier` fail to load `failures` times, counting every load the module runner makes. */
function failing(specifiers: readonly string[], failures: number): { loads: () => number } {
  let loads = 0;
  let left = failures;
  for (const specifier of specifiers) {
    vi.doMock(specifier, async (original) => {
      loads += 1;
      if (left > 0) {
        left -= 1;
        throw Object.assign(new Error(`EMFILE: too many open files, open '${specifier}'`), { code: "EMFILE" });
      }
      return await original();
    });
  }
  return { loads: () => loads };
}

describe("loading on first use", () => {
  it("undici: concurrent first callers share one load; a failed load is tried again by the next caller", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 3 }), async (callers, failures) => {
        vi.resetModules();
        const { loads } = failing(["undici"], failures);
        const { loadHttp } = await import("../../src/internal/http.js");
        for (let round = 1; round <= failures; round++) {
          const results = await Promise.allSettled(Array.from({ length: callers }, () => loadHttp()));
          expect(results.every((r) => r.status === "rejected")).toBe(true);
          expect(loads()).toBe(round);
        }
        const results = await Promise.allSettled(Array.from({ length: callers }, () => loadHttp()));
        expect(results.map((r) => r.status)).toEqual(results.map(() => "fulfilled"));
        expect(loads()).toBe(failures + 1);
        expect(loadHttp()).toBeUndefined();
      }),
      { numRuns: 8 },
    );
  }, 60_000);

  it("simple-oauth2: concurrent first callers share one load; a failed load is tried again by the next caller", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), async (callers) => {
        vi.resetModules();
        // Both the grant loaded directly and the package's own entry fail once.
        failing(["simple-oauth2/lib/client/index.js", "simple-oauth2"], 2);
        const { loadClientCredentials } = await import("../../src/internal/oauth-client.js");
        const first = await Promise.allSettled(Array.from({ length: callers }, () => loadClientCredentials()));
        expect(first.every((r) => r.status === "rejected")).toBe(true);
        const ClientCredentials = await loadClientCredentials();
        expect(typeof ClientCredentials).toBe("function");
        expect(await loadClientCredentials()).toBe(ClientCredentials);
      }),
      { numRuns: 4 },
    );
  }, 60_000);
});

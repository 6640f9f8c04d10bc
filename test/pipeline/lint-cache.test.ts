import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LintCounts } from "../../scripts/lib/lint-baseline.js";
import { lintWithCache } from "../../scripts/lib/lint-cache.js";
import { tempDir } from "./helpers.js";

/** Stands in for Redocly: counts derived from the bytes, so a stale answer is visible. */
function countsOf(bytes: Buffer, config: string, version: string): LintCounts[string] {
  return { errors: { "size-rule": bytes.length }, warnings: { [`${config}@${version}`]: bytes[0] ?? 0 } };
}

const step = fc.record({
  documents: fc.dictionary(fc.constantFrom("a", "b", "c", "d"), fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u))),
  config: fc.constantFrom("extends: [recommended]", "extends: [minimal]"),
  version: fc.constantFrom("2.0.0", "2.1.0"),
});

describe("lintWithCache", () => {
  it("lints exactly the documents whose bytes, config or Redocly version changed since their last lint, and answers as a full lint would", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        const path = join(await tempDir(), "cache", "lint.json");
        const lastLinted = new Map<string, string>();
        for (const { documents, config, version } of steps) {
          const docs = new Map(Object.entries(documents));
          const asked: string[] = [];
          const result = await lintWithCache(path, { documents: docs, config, redoclyVersion: version }, async (keys) => {
            asked.push(...keys);
            return Object.fromEntries(keys.map((k) => [k, countsOf(docs.get(k)!, config, version)]));
          });
          const identity = (k: string) => `${docs.get(k)!.toString("hex")}|${config}|${version}`;
          const expectedStale = [...docs.keys()].filter((k) => lastLinted.get(k) !== identity(k));
          expect(asked.sort()).toEqual(expectedStale.sort());
          expect(result.counts).toEqual(Object.fromEntries([...docs].map(([k, bytes]) => [k, countsOf(bytes, config, version)])));
          for (const k of docs.keys()) lastLinted.set(k, identity(k));
          // A rerun with nothing changed lints nothing.
          const again = await lintWithCache(path, { documents: docs, config, redoclyVersion: version }, async (keys) => {
            throw new Error(`re-linted ${keys.join(", ")}`);
          });
          expect(again.linted).toEqual([]);
        }
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * Which test files `npm test` runs and which only `npm run test:all` runs
 * (docs/testing.md, "This repository's tests"). vitest.config.ts and the
 * contract project's global setup read it; nothing else should.
 *
 * `npm test` covers every behaviour once: unit and property tests, the spec
 * pipeline, the fault suite, the contract tests of the seed services, one glp
 * scenario per command family and the demo. The sweeps below repeat a
 * behaviour npm test already covers over every operation, listing or document.
 */

/** `vitest run --mode <scope>`: "test" (vitest's default mode) is npm test. */
export type TestScope = "test" | "exhaustive" | "all";

export function testScope(mode: string | undefined): TestScope {
  if (mode === undefined || mode === "test" || mode === "development" || mode === "production") return "test";
  if (mode === "exhaustive" || mode === "all") return mode;
  throw new Error(`vitest --mode ${mode}: expected test (npm test), exhaustive (the sweeps only) or all (npm run test:all)`);
}

/** The sweeps: run by `npm run test:all` and `.ci/run`, not by `npm test`. */
export const EXHAUSTIVE_FILES = [
  // The SDK over the operations of the services outside the seed set (the seed set's are in operations.test.ts).
  "test/contract/other-services.test.ts",
  // glp over all 918 operations (npm test runs one scenario per command family: cli-scenarios.test.ts).
  "test/contract/cli-operations.test.ts",
  // The stateful mocks over every operation: the paging proof over all 199 listings, answers, reads, CRUD.
  "test/contract/stateful/every-operation.test.ts",
  // `npm run generate` / `generate:check` as processes (generateOutput itself is in generate.test.ts).
  "test/pipeline/generate-roundtrip.test.ts",
  // The generator over all 29 mirrored documents, compiled (npm test checks the generated metadata against them: mirror.test.ts).
  "test/pipeline/mirror-generate.test.ts",
  // Every operation's request body on the wire (npm test sends one of each kind: media-types.test.ts).
  "test/unit/media-types-every-operation.test.ts",
  // Every operation's request body type against wrong bodies (npm test compiles one of each kind: object-bodies.test.ts).
  "test/unit/object-bodies-every-operation.test.ts",
] as const;

/**
 * npm test's slice of a sweep: the first item of each distinct kind, for each way of telling kinds apart
 * (an item may stand for several), in the order given. The sweep file runs them all.
 */
export function representatives<T>(items: readonly T[], ...kinds: readonly ((item: T) => string)[]): T[] {
  const seen = kinds.map(() => new Set<string>());
  return items.filter((item, i) => {
    if (items.indexOf(item) !== i) return false;
    let fresh = false;
    kinds.forEach((kind, k) => {
      const key = kind(item);
      if (!seen[k]!.has(key)) fresh = seen[k]!.add(key) !== undefined;
    });
    return fresh;
  });
}

/** The services the contract tests of `npm test` call on the shared stateless mocks. */
export const SEED_SERVICES = ["compute-ops-mgmt", "private-cloud-business", "identity", "credentials", "authorization", "workspace"] as const;

/**
 * Cases of the stateful mocks' consistency property (test/contract/stateful/consistency.property.test.ts),
 * each a sequence of up to ten calls with a full check after every one: npm test runs enough to reach
 * every command, test:all the sweep over the collections. Other properties run the same cases everywhere.
 */
export const CONSISTENCY_RUNS: Readonly<Record<TestScope, number>> = { test: 10, exhaustive: 30, all: 30 };

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's scope, for the contract project's global setup (vitest.config.ts provides it). */
    greenlakeTestScope: TestScope;
  }
}

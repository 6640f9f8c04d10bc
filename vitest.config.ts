import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Suites: fast unit tests of src/, tests of the spec pipeline in scripts/,
// contract tests that run the SDK against Prism mocks of HPE's documents, and the glp command line.
export default defineConfig({
  // examples/ import the package by its name, as a user's project would; in this repository that
  // name is the source, as tsconfig.json's `paths` say for tsc and tsx. Projects inherit this.
  resolve: {
    alias: [
      { find: /^greenlake-sdk$/, replacement: source("./src/index.ts") },
      { find: /^greenlake-sdk\/testing$/, replacement: source("./src/testing/index.ts") },
      { find: /^greenlake-sdk\/webhooks$/, replacement: source("./src/webhooks/index.ts") },
      { find: /^greenlake-sdk\/([a-z0-9-]+)$/, replacement: source("./generated/entries/$1.ts") },
    ],
  },
  test: {
    // Test files of every project share one pool. Most of their time is spent waiting on loopback servers,
    // Prism and timers rather than computing, and each file runs in its own worker with its own servers on
    // free ports, so two files at once is safe and shortens the run even on two cores (default: cores - 1).
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { extends: true, test: { name: "pipeline", include: ["test/pipeline/**/*.test.ts"], testTimeout: 60_000 } },
      { extends: true, test: { name: "faults", include: ["test/faults/**/*.test.ts"], testTimeout: 120_000 } },
      // glp in a pseudo-terminal (its runs against the mocks are in the contract project).
      { extends: true, test: { name: "cli", include: ["test/cli/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 180_000 } },
      {
        extends: true,
        test: {
          name: "contract",
          include: ["test/contract/**/*.test.ts"],
          globalSetup: ["test/contract/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});

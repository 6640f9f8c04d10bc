import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Three suites: fast unit tests of src/, tests of the spec pipeline in scripts/,
// and contract tests that run the SDK against Prism mocks of HPE's documents.
export default defineConfig({
  test: {
    // Test files of every project share one pool. Most of their time is spent waiting on loopback servers,
    // Prism and timers rather than computing, and each file runs in its own worker with its own servers on
    // free ports, so two files at once is safe and shortens the run even on two cores (default: cores - 1).
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { test: { name: "pipeline", include: ["test/pipeline/**/*.test.ts"], testTimeout: 60_000 } },
      { test: { name: "faults", include: ["test/faults/**/*.test.ts"], testTimeout: 120_000 } },
      {
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

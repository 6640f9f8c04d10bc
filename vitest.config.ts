import { defineConfig } from "vitest/config";

// Suites: fast unit tests of src/, tests of the spec pipeline in scripts/,
// contract tests that run the SDK against Prism mocks of HPE's documents, and the glp command line.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { test: { name: "pipeline", include: ["test/pipeline/**/*.test.ts"], testTimeout: 60_000 } },
      { test: { name: "faults", include: ["test/faults/**/*.test.ts"], testTimeout: 120_000 } },
      // glp in a pseudo-terminal (its runs against the mocks are in the contract project).
      { test: { name: "cli", include: ["test/cli/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 180_000 } },
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

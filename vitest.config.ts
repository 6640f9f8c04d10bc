import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { EXHAUSTIVE_FILES, testScope } from "./test/scope.js";
import { LongestFirstSequencer } from "./test/support/sequencer.js";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Suites: fast unit tests of src/, tests of the spec pipeline in scripts/, fault injection, glp in a
// terminal, and contract tests that run the SDK against Prism mocks of HPE's documents.
// `npm test` runs all of them except the sweeps listed in test/scope.ts; `npm run test:all`
// (`--mode all`) adds the sweeps; `--mode exhaustive` runs the sweeps alone (.ci/run, after npm test).
export default defineConfig(({ mode }) => {
  const scope = testScope(mode);

  const project = (name: string, options: TestProjectInlineConfiguration["test"] = {}): TestProjectInlineConfiguration | undefined => {
    const dir = `test/${name}/`;
    const sweeps = EXHAUSTIVE_FILES.filter((file) => file.startsWith(dir));
    const files =
      scope === "all"
        ? { include: [`${dir}**/*.test.ts`] }
        : scope === "exhaustive"
          ? { include: sweeps }
          : { include: [`${dir}**/*.test.ts`], exclude: [...sweeps, "**/node_modules/**"] };
    if (files.include.length === 0) return undefined;
    return { extends: true, test: { name, ...files, ...options } };
  };

  return {
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
      // Prism and child processes rather than computing, and each file runs in its own worker with its own
      // servers on free ports, so two files at once is safe and shortens the run even on two cores.
      maxWorkers: Math.max(2, availableParallelism()),
      // Worker threads rather than child processes: a thread starts and imports in a fraction of a process's
      // CPU, and no test needs a process of its own (the ones that signal or exit start child processes).
      pool: "threads",
      // The longest files start first, whatever their project (test/support/sequencer.ts).
      sequence: { sequencer: LongestFirstSequencer },
      // Limits for hangs, not verdicts: generous enough that a machine ten times slower still passes.
      testTimeout: 120_000,
      hookTimeout: 300_000,
      projects: [
        // Unit files share their worker's modules too: starting a fresh worker and importing the SDK again for
        // each of them cost more than their tests. What the runtime keeps process-wide (the credentials
        // redaction hides, timers, stubs) is reset before and after each file by the setup file.
        project("unit", { isolate: false, setupFiles: ["test/unit/support/per-file.ts"] }),
        // These files share one module graph per worker instead of each starting a fresh worker and importing
        // the SDK and its generated metadata again: each restores the environment it changes.
        project("pipeline", { isolate: false }),
        project("faults", { testTimeout: 300_000 }),
        // glp in a pseudo-terminal (its runs against the mocks are in the contract project).
        project("cli", { testTimeout: 300_000 }),
        // Its global setup starts the services the scope needs (read from `provide`: vitest may load this file
        // again, without the mode, in the same process) without holding up the other projects: each contract
        // file waits for them in its setup file (test/contract/support/shared-ready.ts).
        // Its files share their worker's modules too: each starts and stops its own mocks and child processes.
        project("contract", { globalSetup: ["test/contract/global-setup.ts"], setupFiles: ["test/contract/support/await-shared-mocks.ts"], testTimeout: 300_000, provide: { greenlakeTestScope: scope }, isolate: false }),
      ].filter((p) => p !== undefined),
    },
  };
});

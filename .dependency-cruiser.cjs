/**
 * The layers of src/, lowest first, and the rule that keeps them: a module
 * imports its own layer or lower ones, and nothing imports in a circle.
 *
 *   core     errors, logging, metadata shapes, and the pieces every layer uses
 *            (redaction, causes, responses, rate-limit headers, time limits, credentials,
 *            the operations tables' compact text)
 *   config   options.ts: settings and their checks (types of runtime options only)
 *   runtime  src/internal/**: tokens, pacing, the store, the call pipeline, the HTTP layer
 *   api      what users import: index, GreenLake, service clients, pagination, filters, async operations
 *   tools    src/cli (glp) and src/testing (mocks), on top; src/specs (build and mocks) uses core only
 *
 * Checked in .ci/run (`npx depcruise src --config .dependency-cruiser.cjs`).
 */
const CORE = "^src/(errors|logging|metadata)\\.ts$|^src/internal/(causes|redaction|responses|rate-limit-headers|credentials|timeouts|operations-codec)\\.ts$";
const CONFIG = "^src/options\\.ts$";
const API = "^src/(index|greenlake|service-client|pagination|filters|async-operations)\\.ts$";
const TOOLS = "^src/(cli|testing)/";

module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      severity: "error",
      comment: "A cycle makes a layer depend on itself through another: move the shared piece down a layer.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "core-uses-core-only",
      severity: "error",
      comment: "core is what every layer builds on: it imports nothing above it.",
      from: { path: CORE },
      to: { path: "^src/", pathNot: CORE },
    },
    {
      name: "config-below-runtime",
      severity: "error",
      comment: "Settings name the runtime's option types only (type-only imports); they never run runtime code.",
      from: { path: CONFIG },
      to: { path: "^src/internal/", pathNot: `${CORE}|^src/internal/retry\\.ts$`, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "config-below-api",
      severity: "error",
      from: { path: CONFIG },
      to: { path: `${API}|${TOOLS}|^src/specs/` },
    },
    {
      name: "runtime-below-api",
      severity: "error",
      comment: "The runtime never imports what users import (the api layer composes the runtime, not the reverse).",
      from: { path: "^src/internal/" },
      to: { path: `${API}|${TOOLS}|^src/specs/` },
    },
    {
      name: "api-below-tools",
      severity: "error",
      from: { path: API },
      to: { path: `${TOOLS}|^src/specs/` },
    },
    {
      name: "specs-use-core-only",
      severity: "error",
      comment: "Document code runs at build time and in the mocks: it needs no runtime.",
      from: { path: "^src/specs/" },
      to: { path: "^src/", pathNot: `${CORE}|^src/specs/` },
    },
    {
      name: "tools-through-public-surface",
      severity: "error",
      comment: "glp and the mocks should use what a user can import (src/index.ts and the api layer) or core; a runtime internal they need belongs behind an explicit entry.",
      from: { path: TOOLS },
      to: { path: "^src/internal/", pathNot: `${CORE}|^src/internal/for-tools\\.ts$` },
    },
    {
      name: "nothing-imports-tests-or-bench",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench|scripts)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(generated|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".js"] },
  },
};

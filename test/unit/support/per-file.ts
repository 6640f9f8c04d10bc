/**
 * Runs before each unit test file. The unit files share their worker's modules (as the pipeline and
 * contract files do), so what the runtime keeps process-wide is reset here, for each file to start as
 * it would in a fresh process: no credential another file registered, real timers, no stubs left.
 */
import { afterAll, beforeAll, vi } from "vitest";
import { forgetSecrets } from "../../../src/internal/redaction.js";

beforeAll(() => {
  forgetSecrets();
});

afterAll(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  forgetSecrets();
});

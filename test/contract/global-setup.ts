/**
 * Starts the GreenLake mocks once for the contract project, hands their
 * addresses to the test files through vitest's provide/inject, and at the end
 * prints the coverage of all services from the suites' tallies.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startMocks } from "../../src/testing/index.js";
import type { SuiteTally } from "./support/contract-suite.js";
import type { MockEndpoints } from "./support/endpoints.js";
import { SEED_SERVICES } from "../scope.js";

function printAllServicesCoverage(dir: string): void {
  const tallies = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as SuiteTally);
  if (tallies.length < 2) return;
  const covered = tallies.reduce((n, t) => n + t.covered, 0);
  const total = tallies.reduce((n, t) => n + t.total, 0);
  const unservable = tallies.flatMap((t) => t.unservable);
  const exampleDefects = tallies.reduce((n, t) => n + t.exampleDefects.length, 0);
  console.log(`contract coverage (all services): ${covered}/${total} operations`);
  console.log(`  ${exampleDefects} operations checked against an answer generated from the schema: their documented example breaks it`);
  for (const u of unservable) console.log(`  not served: ${u.operation}: ${u.reason}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  // Prism alone: this suite checks requests and answers against the documents, not the mocks' memory.
  // npm test calls only the seed services here; each document more is one more for Prism to load.
  const services = project.config.provide.greenlakeTestScope === "test" ? { services: SEED_SERVICES } : {};
  const mocks = await startMocks({ state: false, ...services });
  console.log(`mocks: ${mocks.services.length} services on ${mocks.baseUrl}, started in ${Date.now() - started} ms`);
  const endpoints: MockEndpoints = {
    baseUrl: mocks.baseUrl,
    tokenUrl: mocks.tokenUrl,
    credentials: mocks.credentials,
    unavailable: Object.fromEntries(mocks.unavailable),
  };
  const tallyDir = mkdtempSync(join(tmpdir(), "greenlake-contract-"));
  project.provide("greenlakeMocks", endpoints);
  project.provide("contractTallyDir", tallyDir);
  return async () => {
    await mocks.stop();
    try {
      printAllServicesCoverage(tallyDir);
    } finally {
      rmSync(tallyDir, { recursive: true, force: true });
    }
  };
}

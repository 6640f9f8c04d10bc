/**
 * Starts the GreenLake mocks once for the contract project, hands their
 * addresses to the test files (support/shared-ready.ts: the run does not wait
 * for them, the contract files do), and at the end prints the coverage of all
 * services from the suites' tallies.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { documentsOf, findDocumentsDir, selectServices } from "../../src/testing/documents.js";
import { startMocksWith, type Mocks } from "../../src/testing/mocks.js";
import { startPrismHost, type PrismHost } from "../../src/testing/prism-host.js";
import { borrowFrom, describeHost } from "./support/shared-prism.js";
import type { SuiteTally } from "./support/contract-suite.js";
import type { MockEndpoints } from "./support/endpoints.js";
import { publishSharedMocks, type SharedMocks } from "./support/shared-ready.js";
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

interface Started {
  readonly prism: PrismHost;
  readonly mocks: Mocks;
  readonly shared: SharedMocks;
}

async function startShared(scope: unknown): Promise<Started> {
  const started = Date.now();
  // Prism alone: this suite checks requests and answers against the documents, not the mocks' memory.
  // npm test calls only the seed services here; each document more is one more for Prism to load.
  const services = scope === "test" ? { services: SEED_SERVICES } : {};
  // One Prism serving every document, borrowed by these mocks and by each file's stateful mocks.
  const keys = documentsOf(selectServices(undefined));
  const dir = await findDocumentsDir(keys);
  const documents = keys.map((key) => ({ key, file: join(dir, `${key}.json`) }));
  const prism = await startPrismHost(documents);
  const shared = describeHost(prism, documents);
  let mocks;
  try {
    mocks = await startMocksWith(borrowFrom(shared), { state: false, ...services });
  } catch (error) {
    await prism.stop();
    throw error;
  }
  console.log(`mocks: ${mocks.services.length} services on ${mocks.baseUrl}, Prism serving ${prism.ports.size} documents, started in ${Date.now() - started} ms`);
  const endpoints: MockEndpoints = {
    baseUrl: mocks.baseUrl,
    tokenUrl: mocks.tokenUrl,
    credentials: mocks.credentials,
    unavailable: Object.fromEntries(mocks.unavailable),
  };
  return { prism, mocks, shared: { endpoints, prism: shared } };
}

async function stopShared({ mocks, prism }: Started): Promise<void> {
  await mocks.stop();
  await prism.stop();
}

export default function setup(project: TestProject): () => Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), "greenlake-contract-"));
  const tallyDir = join(runDir, "tallies");
  const mocksFile = join(runDir, "shared-mocks.json");
  const publish = async (): Promise<Started | undefined> => {
    let started: Started;
    try {
      started = await startShared(project.config.provide.greenlakeTestScope);
    } catch (error) {
      await publishSharedMocks(mocksFile, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      return undefined;
    }
    try {
      await publishSharedMocks(mocksFile, started.shared);
    } catch (error) {
      await stopShared(started);
      throw error;
    }
    return started;
  };
  // Not awaited: the other projects' files start while Prism loads; contract files wait in their setup file.
  // A failure to publish surfaces at teardown, which awaits this.
  const starting = publish();
  starting.catch(() => {});
  project.provide("greenlakeSharedMocksFile", mocksFile);
  project.provide("contractTallyDir", tallyDir);
  return async () => {
    try {
      const started = await starting;
      if (started) await stopShared(started);
      if (existsSync(tallyDir)) printAllServicesCoverage(tallyDir);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  };
}

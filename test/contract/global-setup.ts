/**
 * Starts the GreenLake mocks once for the contract project and hands their
 * addresses to the test files through vitest's provide/inject.
 */
import type { TestProject } from "vitest/node";
import { startMocks } from "../../src/testing/index.js";
import type { MockEndpoints } from "./support/endpoints.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mocks = await startMocks();
  const endpoints: MockEndpoints = {
    baseUrl: mocks.baseUrl,
    tokenUrl: mocks.tokenUrl,
    credentials: mocks.credentials,
    unavailable: Object.fromEntries(mocks.unavailable),
  };
  project.provide("greenlakeMocks", endpoints);
  return () => mocks.stop();
}

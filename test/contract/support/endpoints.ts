/** What the contract project's global setup hands to each test file. */
import type { GreenLakeOptions } from "../../../src/index.js";
import { sharedMocks } from "./shared-ready.js";

export interface MockEndpoints {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly credentials: { readonly clientId: string; readonly clientSecret: string; readonly workspaceId: string };
  /** Document key -> why Prism could not load it. */
  readonly unavailable: Readonly<Record<string, string>>;
}

export function mockEndpoints(): MockEndpoints {
  return sharedMocks().endpoints;
}

/** Client options for the shared mocks; retries off so a contract failure surfaces at once. */
export function mockClientOptions(overrides: GreenLakeOptions = {}): GreenLakeOptions {
  const m = mockEndpoints();
  return { ...m.credentials, tokenUrl: m.tokenUrl, baseUrl: m.baseUrl, retry: false, ...overrides };
}

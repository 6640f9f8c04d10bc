/**
 * Where an example runs: against GreenLake when credentials are in the
 * environment, otherwise against local mocks of HPE's documents.
 */
import { GreenLake, type GreenLakeOptions } from "greenlake-sdk";
import type { Mocks, StartMocksOptions } from "greenlake-sdk/testing";

export interface Connection {
  readonly gl: GreenLake;
  /** Says where calls go, for the first line of output. */
  readonly target: string;
  readonly mocked: boolean;
  /** The mocks, when calls go to them: a script can seed data or cue faults. */
  readonly mocks?: Mocks;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Services the example calls; only these are mocked. */
  readonly services: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra client options, e.g. a logger. */
  readonly client?: GreenLakeOptions;
  /** Use the mocks even when GreenLake credentials are set. */
  readonly mocksOnly?: boolean;
  /** Extra options for the mocks (data sizes, async timing). */
  readonly mockOptions?: Omit<StartMocksOptions, "services">;
}

export function hasGreenLakeCredentials(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return Boolean(env.GREENLAKE_CLIENT_ID && env.GREENLAKE_CLIENT_SECRET && env.GREENLAKE_WORKSPACE_ID);
}

export async function connect(options: ConnectOptions): Promise<Connection> {
  const env = options.env ?? process.env;
  if (!options.mocksOnly && hasGreenLakeCredentials(env)) {
    // Credentials, workspace and region come from GREENLAKE_* variables.
    const gl = new GreenLake({ throwOnError: true, ...options.client, env });
    return { gl, target: `HPE GreenLake (${env.GREENLAKE_REGION ?? "default region"})`, mocked: false, close: async () => {} };
  }
  // Loaded only when needed: runs against GreenLake do not load the mock machinery.
  const { startMocks } = await import("greenlake-sdk/testing");
  const mocks = await startMocks({ ...options.mockOptions, services: [...options.services] });
  // Failures throw typed errors, so example code reads as the happy path.
  const gl = new GreenLake({ ...mocks.clientOptions(), throwOnError: true, ...options.client });
  return { gl, target: `the local mocks at ${mocks.baseUrl}`, mocked: true, mocks, close: () => mocks.stop() };
}

/**
 * One Prism for the whole contract project: the global setup starts it once, serving every document, and
 * each file's stateful mocks borrow it instead of starting a Prism process of their own (loading Prism
 * costs about 1.7 s of CPU a process). Prism answers from the request alone, so sharing it changes no
 * answer: each file still has its own state layer, issuer and front door. test/contract/harness.test.ts
 * starts its mocks with their own Prism, as users do.
 */
import { startMocksWith, type Mocks, type PrismSource, type StartMocksOptions } from "../../../src/testing/mocks.js";
import { startPrismHost, type HostedDocument, type PrismHost } from "../../../src/testing/prism-host.js";
import { sharedMocks } from "./shared-ready.js";

/** What the global setup hands on: each document's file, and the port serving it or why it failed. */
export interface SharedPrism {
  readonly pid: number;
  readonly files: Readonly<Record<string, string>>;
  readonly ports: Readonly<Record<string, number>>;
  readonly failures: Readonly<Record<string, string>>;
}

export function describeHost(host: PrismHost, documents: readonly HostedDocument[]): SharedPrism {
  return {
    pid: host.pid,
    files: Object.fromEntries(documents.map((d) => [d.key, d.file])),
    ports: Object.fromEntries(host.ports),
    failures: Object.fromEntries(host.failures),
  };
}

/** Prism from `shared` for the documents it loaded from the same files; a Prism of their own for any others. */
export function borrowFrom(shared: SharedPrism): PrismSource {
  return async (documents) => {
    if (documents.some((d) => shared.files[d.key] !== d.file)) return startPrismHost(documents);
    const keys = new Set(documents.map((d) => d.key));
    const pick = <T>(record: Readonly<Record<string, T>>) => new Map(Object.entries(record).filter(([key]) => keys.has(key)));
    // Stopping the mocks leaves the shared Prism to the global setup, which stops it after the last file.
    return { pid: shared.pid, ports: pick(shared.ports), failures: pick(shared.failures), stop: async () => {} };
  };
}

/** `startMocks(options)` on the contract project's shared Prism. */
export function startSharedMocks(options: StartMocksOptions = {}): Promise<Mocks> {
  return startMocksWith(borrowFrom(sharedMocks().prism), options);
}

/**
 * The contract project's global setup starts the shared Prism and mocks without making the whole run wait
 * for them: files of the other projects start at once, and Prism loads beside them. When the mocks are up
 * (or failed to start), the setup writes what the contract files need to one JSON file, whose path it
 * provides; the project's setup file (./await-shared-mocks.ts) waits for that file before each test file
 * runs, so tests read the endpoints synchronously, as they did when the setup provided them directly.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { inject } from "vitest";
import type { MockEndpoints } from "./endpoints.js";
import type { SharedPrism } from "./shared-prism.js";

export interface SharedMocks {
  readonly endpoints: MockEndpoints;
  readonly prism: SharedPrism;
}

type Outcome = SharedMocks | { readonly error: string };

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the global setup writes the shared mocks' addresses once they are up. */
    greenlakeSharedMocksFile: string;
  }
}

/** Written whole or not at all: readers never see half a file. */
export async function publishSharedMocks(file: string, outcome: Outcome): Promise<void> {
  await writeFile(`${file}.partial`, JSON.stringify(outcome));
  await rename(`${file}.partial`, file);
}

// A hang limit, not a verdict: Prism loads 29 documents in about 4 s on a quiet machine.
const HANG_LIMIT_MS = 280_000;
const POLL_MS = 25;

let ready: SharedMocks | undefined;

/** Waits until the global setup has published the shared mocks; throws its error if they failed to start. */
export async function awaitSharedMocks(): Promise<SharedMocks> {
  if (ready) return ready;
  const file = inject("greenlakeSharedMocksFile");
  const deadline = Date.now() + HANG_LIMIT_MS;
  for (;;) {
    let text: string | undefined;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text !== undefined) {
      const outcome = JSON.parse(text) as Outcome;
      if ("error" in outcome) throw new Error(`the contract project's shared mocks did not start: ${outcome.error}`);
      return (ready = outcome);
    }
    if (Date.now() > deadline) throw new Error(`the contract project's shared mocks were not up after ${HANG_LIMIT_MS / 1000} s (${file})`);
    await sleep(POLL_MS);
  }
}

/** The shared mocks, once the setup file has waited for them. */
export function sharedMocks(): SharedMocks {
  if (!ready) throw new Error("the shared mocks are read before test/contract/support/await-shared-mocks.ts waited for them");
  return ready;
}

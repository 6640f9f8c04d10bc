/** In-memory streams for running glp's `run()` inside a test. */
import { Readable } from "node:stream";
import type { Io } from "../../../src/cli/run.js";

export interface MemoryIo extends Io {
  out(): string;
  err(): string;
}

export function memoryIo(options: { env?: Record<string, string | undefined>; stdin?: string; tty?: boolean; columns?: number; signal?: AbortSignal } = {}): MemoryIo {
  let out = "";
  let err = "";
  return {
    stdout: { write: (t: string) => (out += t), isTTY: options.tty ?? false, ...(options.columns ? { columns: options.columns } : {}) },
    stderr: { write: (t: string) => (err += t), isTTY: options.tty ?? false },
    stdin: Readable.from([options.stdin ?? ""]) as unknown as Io["stdin"],
    env: options.env ?? { HOME: "/nonexistent-glp-home" },
    signal: options.signal ?? new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}

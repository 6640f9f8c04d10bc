/**
 * Everything a run shows a person: logger lines, console and stream writes,
 * and the errors it surfaced (message, stack, fields, causes), to search for leaks.
 */
import { inspect } from "node:util";
import type { Logger } from "../../src/index.js";

export interface CollectedOutput {
  /** A logger for the client under test; every line is kept. */
  readonly logger: Logger;
  /** Keeps all that printing or logging `error` would show. */
  record(error: unknown): void;
  texts(): string[];
  restore(): void;
}

export function collectOutput(): CollectedOutput {
  const texts: string[] = [];
  const keep = (level: string) => (message: string, ...rest: unknown[]) => {
    texts.push(`${level} ${message}${rest.length ? ` ${inspect(rest, { depth: 5 })}` : ""}`);
  };
  const logger: Logger = { debug: keep("debug"), info: keep("info"), warn: keep("warn"), error: keep("error") };

  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap = (original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...args: unknown[]) {
      texts.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...args);
    } as typeof process.stdout.write;
  process.stdout.write = tap(originals.out);
  process.stderr.write = tap(originals.err);

  return {
    logger,
    record(error) {
      // inspect() shows what console.log(error) would: message, stack, own fields and the cause chain.
      texts.push(inspect(error, { depth: 6 }));
      if (error instanceof Error) texts.push(String(error), JSON.stringify(error));
    },
    texts: () => [...texts],
    restore() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

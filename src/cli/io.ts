import type { Env } from "./files.js";
import type { TerminalStream } from "./progress.js";
import type { PromptIo } from "./secret.js";

/** What a glp command reads and writes: its streams, environment and Ctrl-C. */
export interface Io {
  readonly stdout: TerminalStream;
  readonly stderr: TerminalStream;
  readonly stdin: PromptIo["stdin"];
  readonly env: Env;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
}

/**
 * Runs example code as a script: connects, narrates, always cleans up, and
 * stops the mocks on Ctrl-C so no mock server outlives the script.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { GreenLake } from "../../src/index.js";
import { connect, type Connection } from "./connect.js";
import { consoleNarrator, type Narrator } from "./narrator.js";

export type Scenario = (gl: GreenLake, narrator: Narrator) => Promise<unknown>;

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** Stops the connection on SIGINT/SIGTERM, then exits with the conventional code. */
export function closeOnInterrupt(close: () => Promise<void>, write: (line: string) => void): () => void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    write(`\n${signal === "SIGINT" ? "Interrupted" : "Terminated"}: stopping the mocks…`);
    // Do not wait forever on a stuck child; exit anyway after a few seconds.
    const deadline = setTimeout(() => process.exit(130), 5_000);
    close().finally(() => {
      clearTimeout(deadline);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

export async function runExample(title: string, services: readonly string[], scenario: Scenario): Promise<void> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  // Kept as a promise so an interrupt during start-up still stops what was started.
  const connecting: Promise<Connection> = connect({ services });
  let connection: Connection | undefined;
  let release = closeOnInterrupt(() => connecting.then((c) => c.close(), () => {}), write);
  try {
    connection = await connecting;
    write(`${title} — against ${connection.target}`);
    await scenario(connection.gl, consoleNarrator(write));
    write("\nDone.");
  } catch (error) {
    process.exitCode = 1;
    write(`\nFailed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    release();
    release = () => {};
    await connection?.close();
  }
}

/**
 * Runs example code as a script: connects, narrates, always cleans up, and
 * stops the mocks on Ctrl-C so no mock server outlives the script.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { GreenLake } from "greenlake-sdk";
import { connect, hasGreenLakeCredentials, type ConnectOptions, type Connection } from "./connect.js";
import { consoleNarrator, type Narrator } from "./narrator.js";

export type Scenario = (gl: GreenLake, narrator: Narrator, connection: Connection) => Promise<unknown>;

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

export interface RunOptions {
  /** Use the mocks even when GreenLake credentials are set (the demo changes things). */
  readonly mocksOnly?: boolean;
  /** Extra options for the mocks. */
  readonly mockOptions?: ConnectOptions["mockOptions"];
}

const EXIT_ON = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Connects, runs `scenario`, disconnects, and exits: 0 on success, 1 on failure, 128+n on a signal. */
export async function runExample(title: string, services: readonly string[], scenario: Scenario, options: RunOptions = {}): Promise<never> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  // Kept as a promise so an interrupt during start-up still stops what was started.
  const connecting: Promise<Connection> = connect({ services, mocksOnly: options.mocksOnly, mockOptions: options.mockOptions });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= connecting.then((c) => c.close(), () => {}));

  let interrupted = false;
  const onSignal = (signal: keyof typeof EXIT_ON) => {
    if (interrupted) return;
    interrupted = true;
    process.exitCode = EXIT_ON[signal];
    write(`\nStopped by ${signal}; shutting the mocks down…`);
    // A stuck child must not keep the script alive: give up waiting after a few seconds.
    setTimeout(() => process.exit(), 5_000).unref();
    void close().finally(exitWhenWritten);
  };
  for (const signal of Object.keys(EXIT_ON) as (keyof typeof EXIT_ON)[]) process.on(signal, onSignal);

  let mocked = false;
  try {
    write(title);
    if (options.mocksOnly || !hasGreenLakeCredentials()) {
      write(`Starting stateful mocks of ${services.join(", ")} (Prism validating every request) and a local OAuth2 token issuer...`);
    }
    const connection = await connecting;
    mocked = connection.mocked;
    write(`Calls go to ${connection.target} (ready in ${seconds(Date.now() - started)}).`);
    await scenario(connection.gl, consoleNarrator(write), connection);
    write(`\nDone in ${seconds(Date.now() - started)}.`);
  } catch (error) {
    if (!interrupted) {
      process.exitCode = 1;
      write(`\nFailed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await close();
  if (mocked && !interrupted) write("Mocks stopped.");
  // Idle keep-alive sockets would otherwise hold the process open a few seconds more.
  exitWhenWritten();
  return new Promise<never>(() => {});
}

/** Exits once what was written to a piped stdout has gone out (pipe writes are asynchronous). */
function exitWhenWritten(): void {
  process.stdout.write("", () => process.exit());
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * `glp mocks start|stop|reset|seed|state|env`: the package's stateful mocks as
 * a background process that outlives one command, so a sequence of glp commands
 * (or your own scripts, through the exported variables or `--profile mock`)
 * sees one workspace whose changes last until `glp mocks stop`.
 */
import { spawn } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { loadIndex, suggest } from "./catalog.js";
import { tableWidth } from "./columns.js";
import { EXIT, UsageError } from "./exit-codes.js";
import { cacheDir, privateDir, type Env } from "./files.js";
import { control, isAlive, runningMocks, type RunningMocks } from "./mocks-state.js";
import type { Io } from "./io.js";

export const MOCKS_USAGE = "glp mocks: expected start, stop, reset, state, seed or env (glp help mocks)";

function parser(name: string): Command {
  return new Command(name).exitOverride().helpOption(false).allowExcessArguments(false).configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
}

function parse(command: Command, argv: readonly string[]): { opts: Record<string, unknown>; args: string[] } {
  try {
    command.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) throw new UsageError(`glp mocks: ${error.message.replace(/^error: /, "")}`);
    throw error;
  }
  return { opts: command.opts(), args: command.args };
}

function port(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new InvalidArgumentError("expected a port number from 1 to 65535.");
  return Number(value);
}

/** `export NAME=value` lines for a POSIX shell; values are single-quoted. */
export function exportLines(state: RunningMocks): string {
  const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
  return [
    ["GREENLAKE_BASE_URL", state.baseUrl],
    ["GREENLAKE_TOKEN_URL", state.tokenUrl],
    ["GREENLAKE_CLIENT_ID", state.clientId],
    ["GREENLAKE_CLIENT_SECRET", state.clientSecret],
    ["GREENLAKE_WORKSPACE_ID", state.workspaceId],
  ]
    .map(([name, value]) => `export ${name}=${quote(value!)}\n`)
    .join("");
}

function summary(state: RunningMocks): string {
  return (
    `glp: mocks of ${state.services.join(", ")} on ${state.baseUrl} (process ${state.pid}), until glp mocks stop.\n` +
    "glp: use them with --mock or --profile mock, or eval \"$(glp mocks env)\" for your own scripts.\n"
  );
}

async function requireRunning(env: Env): Promise<RunningMocks> {
  const state = await runningMocks(env);
  if (state === undefined) throw new UsageError("no mocks are running; start them with glp mocks start [services...]");
  return state;
}

async function checkServices(names: readonly string[]): Promise<string[]> {
  const known = Object.keys(await loadIndex());
  for (const name of names) {
    if (!known.includes(name)) {
      const hint = suggest(name, known);
      throw new UsageError(`glp mocks start: unknown service "${name}"${hint.length > 0 ? `; did you mean ${hint.join(", ")}?` : ""} (glp --help lists them)`);
    }
  }
  return names.length > 0 ? [...new Set(names)] : known;
}

/** This program's entry file, to start the daemon with (the built main.js, or main.ts under tsx). */
function mainScript(): string {
  const here = fileURLToPath(import.meta.url);
  const extension = here.endsWith(".ts") ? ".ts" : ".js";
  const main = join(here, "..", `main${extension}`);
  return existsSync(main) ? main : process.argv[1]!;
}

async function startDetached(options: { services: string[]; port?: number; seed?: string }, io: Io): Promise<RunningMocks> {
  await privateDir(cacheDir(io.env));
  const logFile = join(cacheDir(io.env), "mocks.log");
  // Never through a link planted at the log's name, and only the user reads it, whatever mode an old file had.
  const log = await open(logFile, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0), 0o600);
  await log.chmod(0o600);
  try {
    const child = spawn(process.execPath, [...process.execArgv, mainScript(), "mocks", "__serve", JSON.stringify(options)], {
      detached: true,
      stdio: ["ignore", log.fd, log.fd, "ipc"],
      env: io.env as NodeJS.ProcessEnv,
    });
    const outcome = await new Promise<RunningMocks>((resolve, reject) => {
      const onAbort = () => {
        child.kill("SIGTERM");
        reject(Object.assign(new Error("interrupted"), { name: "AbortError" }));
      };
      io.signal.addEventListener("abort", onAbort, { once: true });
      child.once("message", (message: { ready?: RunningMocks; failed?: string }) => {
        io.signal.removeEventListener("abort", onAbort);
        if (message.ready) resolve(message.ready);
        else reject(new Error(`the mocks did not start: ${message.failed ?? "unknown reason"} (log: ${logFile})`));
      });
      child.once("exit", (code, signal) => {
        io.signal.removeEventListener("abort", onAbort);
        reject(new Error(`the mocks did not start: their process ended (${signal ?? `exit code ${code}`}); see ${logFile}`));
      });
      child.once("error", reject);
    });
    child.disconnect();
    child.unref();
    return outcome;
  } finally {
    await log.close();
  }
}

/** `glp mocks __serve <options>`: the daemon itself, started by `glp mocks start`. */
async function serve(json: string | undefined, io: Io): Promise<number> {
  const { serveMocks } = await import("./mocks-daemon.js");
  const options = JSON.parse(json ?? "{}") as { services: string[]; port?: number; seed?: string };
  let served;
  try {
    served = await serveMocks(options, io.env);
  } catch (error) {
    process.send?.({ failed: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  const stopOnSignal = () => void served.stop();
  process.on("SIGTERM", stopOnSignal);
  process.on("SIGINT", stopOnSignal);
  process.on("SIGHUP", stopOnSignal);
  process.send?.({ ready: served.state });
  await served.stopped;
  if (process.connected) process.disconnect();
  return EXIT.ok;
}

async function start(argv: readonly string[], io: Io): Promise<number> {
  const { opts, args } = parse(
    parser("start")
      .argument("[services...]")
      .addOption(new Option("--port <n>").argParser(port))
      .option("--seed <text>")
      .option("--foreground"),
    argv,
  );
  const services = await checkServices(args);
  const options = { services, ...(opts.port === undefined ? {} : { port: opts.port as number }), ...(opts.seed === undefined ? {} : { seed: String(opts.seed) }) };
  const running = await runningMocks(io.env);
  if (running !== undefined) {
    throw new UsageError(`mocks are already running (process ${running.pid}, ${running.services.join(", ")} on ${running.baseUrl}); glp mocks stop first`);
  }
  if (opts.foreground) {
    const { serveMocks } = await import("./mocks-daemon.js");
    const served = await serveMocks(options, io.env);
    io.stderr.write(summary(served.state).replace("until glp mocks stop", "until Ctrl-C or glp mocks stop"));
    io.stdout.write(exportLines(served.state));
    const onAbort = () => void served.stop();
    io.signal.addEventListener("abort", onAbort, { once: true });
    await served.stopped;
    io.signal.removeEventListener("abort", onAbort);
    return EXIT.ok;
  }
  const state = await startDetached(options, io);
  io.stderr.write(summary(state));
  io.stdout.write(exportLines(state));
  return EXIT.ok;
}

async function stop(io: Io): Promise<number> {
  const state = await runningMocks(io.env);
  if (state === undefined) {
    io.stderr.write("glp: no mocks are running\n");
    return EXIT.ok;
  }
  await control(state, "POST", "/stop");
  // The daemon exits once Prism and its servers are down; wait for that, within reason.
  const deadline = Date.now() + 30_000;
  while (isAlive(state.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  io.stderr.write(`glp: mocks stopped (process ${state.pid})\n`);
  return EXIT.ok;
}

async function state(argv: readonly string[], io: Io): Promise<number> {
  const { opts, args } = parse(parser("state").argument("[path]").addOption(new Option("-o, --output <format>").choices(["table", "json", "jsonl", "yaml", "csv"])).option("--columns <list>"), argv);
  const running = await requireRunning(io.env);
  const { loadYaml, writeValue } = await import("./output.js");
  const format = (opts.output as "table" | "json" | "jsonl" | "yaml" | "csv" | undefined) ?? (io.stdout.isTTY ? "table" : "json");
  if (format === "yaml") await loadYaml();
  const width = tableWidth(io.stdout, io.env);
  const columns = typeof opts.columns === "string" ? (await import("./columns.js")).parseColumns(opts.columns) : undefined;
  if (args[0] !== undefined) {
    if (!args[0].startsWith("/")) throw new UsageError(`glp mocks state: ${JSON.stringify(args[0])} is not a collection path such as /identity/v1/users`);
    const items = (await control(running, "GET", `/state?path=${encodeURIComponent(args[0])}`)) as unknown[];
    writeValue(io.stdout, items, { format, columns, width });
    return EXIT.ok;
  }
  const info = (await control(running, "GET", "/state")) as { calls: number; collections: { path: string; template: string; items: number }[] };
  io.stderr.write(`glp: mocks of ${running.services.join(", ")} on ${running.baseUrl} (process ${running.pid}, since ${running.startedAt}); ${info.calls} API calls\n`);
  writeValue(io.stdout, info.collections, { format, columns: columns ?? (format === "table" || format === "csv" ? ["path", "items"] : undefined), width });
  return EXIT.ok;
}

async function seed(argv: readonly string[], io: Io): Promise<number> {
  const { opts, args } = parse(parser("seed").argument("<path>").requiredOption("--data <json|@file|->").option("--append"), argv);
  const path = args[0]!;
  if (!path.startsWith("/")) throw new UsageError(`glp mocks seed: ${JSON.stringify(path)} is not a collection path such as /identity/v1/users`);
  const { readData } = await import("./body.js");
  const items = await readData(String(opts.data), io.stdin as AsyncIterable<Buffer>);
  if (!Array.isArray(items) || !items.every((i) => i !== null && typeof i === "object" && !Array.isArray(i))) throw new UsageError("glp mocks seed: --data must be a JSON array of objects");
  const running = await requireRunning(io.env);
  const result = (await control(running, "POST", "/seed", { path, items, append: opts.append === true })) as { items: number };
  io.stderr.write(`glp: ${path} now holds ${result.items} items\n`);
  return EXIT.ok;
}

export async function mocksCommand(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "start":
      return start(rest, io);
    case "stop":
      parse(parser("stop"), rest);
      return stop(io);
    case "reset": {
      parse(parser("reset"), rest);
      await control(await requireRunning(io.env), "POST", "/reset");
      io.stderr.write("glp: mocks reset: generated data again, no calls recorded\n");
      return EXIT.ok;
    }
    case "state":
      return state(rest, io);
    case "seed":
      return seed(rest, io);
    case "env":
      parse(parser("env"), rest);
      io.stdout.write(exportLines(await requireRunning(io.env)));
      return EXIT.ok;
    case "__serve":
      return serve(rest[0], io);
    default:
      throw new UsageError(MOCKS_USAGE);
  }
}

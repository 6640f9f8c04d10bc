/**
 * Prism in a child process: one Node process serves every requested document,
 * each on its own free loopback port. Loading Prism once and parsing each
 * document in-process starts all 29 documents in about 3.5 s and 200 MB,
 * where one `prism mock` CLI per document costs 1.4-3.3 s and 150 MB each.
 * A child (not this process) keeps Prism's CPU work off the caller's event
 * loop and lets `stop()` end it for certain.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { terminate, track } from "./processes.js";

export interface HostedDocument {
  readonly key: string;
  readonly file: string;
}

export interface PrismHost {
  /** Document key -> port of the Prism serving it. */
  readonly ports: ReadonlyMap<string, number>;
  /** Document key -> why Prism could not load it. */
  readonly failures: ReadonlyMap<string, string>;
  readonly pid: number;
  stop(): Promise<void>;
}

// Runs in the child as CommonJS; module paths come from the parent, which knows where Prism is installed.
const HOST_SCRIPT = String.raw`
const { modules, documents } = JSON.parse(process.env.GREENLAKE_MOCK_HOST);
const { getHttpOperationsFromSpec } = require(modules.http);
const { createServer } = require(modules.server);
const { createLogger } = require(modules.core);
const logger = createLogger("prism", { level: "silent" });
const config = {
  validateRequest: true, validateResponse: true, checkSecurity: true, errors: false,
  mock: { dynamic: false, seed: "greenlake" }, isProxy: false, upstreamProxy: undefined,
};
process.on("disconnect", () => process.exit(0));
(async () => {
  const ports = {}, failures = {};
  for (const { key, file } of documents) {
    try {
      const operations = await getHttpOperationsFromSpec(file);
      const server = createServer(operations, { cors: false, config, components: { logger } });
      const address = await server.listen(0, "127.0.0.1");
      ports[key] = Number(new URL(address).port);
    } catch (error) {
      failures[key] = String((error && error.message) || error).split("\n")[0].slice(0, 300);
    }
  }
  process.send({ type: "ready", ports, failures });
})().catch((error) => { process.send({ type: "fatal", message: String(error) }); });
`;

function prismModules(): { http: string; server: string; core: string } {
  const require = createRequire(import.meta.url);
  // prism-http-server is Prism CLI's own dependency; resolve it (and its siblings) the way the CLI does.
  const cli = require.resolve("@stoplight/prism-cli/package.json");
  const fromCli = createRequire(cli);
  return {
    http: fromCli.resolve("@stoplight/prism-http"),
    server: fromCli.resolve("@stoplight/prism-http-server"),
    core: fromCli.resolve("@stoplight/prism-core"),
  };
}

interface ReadyMessage {
  type: "ready";
  ports: Record<string, number>;
  failures: Record<string, string>;
}

/** Starts one child serving `documents`; resolves once every document is listening or has failed. */
export async function startPrismHost(documents: readonly HostedDocument[], startTimeoutMs = 120_000): Promise<PrismHost> {
  let modules;
  try {
    modules = prismModules();
  } catch {
    throw new Error("The GreenLake mocks need Prism: install it with `npm install -D @stoplight/prism-cli@~5.14.2`.");
  }
  const child: ChildProcess = spawn(process.execPath, ["-e", HOST_SCRIPT], {
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    env: { ...process.env, GREENLAKE_MOCK_HOST: JSON.stringify({ modules, documents }) },
  });
  track(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start within ${startTimeoutMs} ms.`)), startTimeoutMs);
    child.once("message", (message: { type: string; message?: string }) => {
      clearTimeout(timer);
      if (message.type === "ready") resolve(message as ReadyMessage);
      else reject(new Error(`Prism failed to start: ${message.message ?? "unknown error"}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited during start-up (${signal ?? `code ${code}`}): ${stderr.trim().slice(-500)}`));
    });
  }).catch(async (error: unknown) => {
    await terminate(child);
    throw error;
  });
  return {
    ports: new Map(Object.entries(ready.ports)),
    failures: new Map(Object.entries(ready.failures)),
    pid: child.pid ?? -1,
    stop: () => terminate(child),
  };
}

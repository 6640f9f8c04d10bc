/**
 * A fleet on one machine: a real redis-server (persistence off) on a free
 * loopback port, a stub GreenLake that enforces a scaled per-workspace limit
 * (answering 429 past it) and counts token requests, and worker processes
 * that each run a GreenLake client against it. Used by the fleet tests and
 * `npm run bench`.
 */
import { spawn, fork, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundled } from "../support/bundled.js";

const here = dirname(fileURLToPath(import.meta.url));

export const FLEET_WORKSPACE = "0123456789abcdef0123456789abcdef";
export const FLEET_CLIENT_ID = "fleet-client";
export const FLEET_SECRET = "fleet-secret-Never-In-Redis";

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: gone at once, as a crashed server is. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: persistence is off). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function launchRedis(port: number): Promise<ChildProcess> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("error", (error) =>
      reject(new Error(`redis-server could not start (${error.message}); install it with: apt-get install -y redis-server`)),
    );
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code} before it was ready: ${output.slice(-500)}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child = await launchRedis(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      child.kill("SIGKILL");
      await waitForExit(child);
    },
    async restart() {
      child = await launchRedis(port);
    },
    async stop() {
      child.kill("SIGTERM");
      await waitForExit(child);
    },
  };
}

export interface StubOptions {
  /** Calls allowed per window, per workspace. */
  readonly limit: number;
  readonly windowMs: number;
  /** Send ratelimit-* headers on every answer. */
  readonly headers?: boolean;
}

export interface FleetStub {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly counts: { ok: number; limited: number; tokenRequests: number; unauthorized: number };
  /** Start times of the calls the stub accepted. */
  readonly accepted: number[];
  /** Changes the limit from the next window on. */
  setLimit(limit: number): void;
  /** Most calls accepted in any one window. */
  busiestWindow(): number;
  close(): Promise<void>;
}

/** A stub GreenLake: a workspace token issuer and GET /devices/v1/devices under a fixed-window limit. */
export async function startFleetStub(options: StubOptions): Promise<FleetStub> {
  const counts = { ok: 0, limited: 0, tokenRequests: 0, unauthorized: 0 };
  const accepted: number[] = [];
  const perWindow = new Map<number, number>();
  const tokens = new Set<string>();
  let limit = options.limit;
  let pendingLimit: { limit: number; from: number } | undefined;

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0]!;
      if (req.method === "POST" && path.endsWith("/token")) {
        counts.tokenRequests++;
        const token = `fleet-token-${counts.tokenRequests}-${Math.random().toString(36).slice(2)}`;
        tokens.add(token);
        // A little latency, as a real issuer has, so concurrent first calls overlap.
        setTimeout(() => answer(res, 200, { access_token: token, token_type: "Bearer", expires_in: 900 }), 30);
        return;
      }
      const auth = req.headers.authorization ?? "";
      if (!tokens.has(auth.replace(/^Bearer /, ""))) {
        counts.unauthorized++;
        answer(res, 401, { httpStatusCode: 401, errorCode: "HPE_GL_ERROR_UNAUTHORIZED", message: "bad token", debugId: "d" });
        return;
      }
      const now = Date.now();
      const window = Math.floor(now / options.windowMs);
      if (pendingLimit !== undefined && window >= pendingLimit.from) {
        limit = pendingLimit.limit;
        pendingLimit = undefined;
      }
      const used = perWindow.get(window) ?? 0;
      const resetSeconds = ((window + 1) * options.windowMs - now) / 1000;
      const rateHeaders: Record<string, string> = options.headers
        ? { "ratelimit-limit": String(limit), "ratelimit-remaining": String(Math.max(0, limit - used - 1)), "ratelimit-reset": resetSeconds.toFixed(3) }
        : {};
      if (used >= limit) {
        counts.limited++;
        answer(
          res,
          429,
          {
            httpStatusCode: 429,
            errorCode: "HPE_GL_ERROR_TOO_MANY_REQUESTS",
            message: "Too many requests",
            debugId: "d",
            errorDetails: [{ type: "hpe.greenlake.retry_info", retryAfterSeconds: resetSeconds }],
          },
          { ...rateHeaders, "ratelimit-remaining": "0" },
        );
        return;
      }
      perWindow.set(window, used + 1);
      counts.ok++;
      accepted.push(now);
      answer(res, 200, { items: [], count: 0, offset: 0, total: 0 }, rateHeaders);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    tokenUrl: `${baseUrl}/authorization/v2/oauth2/${FLEET_WORKSPACE}/token`,
    counts,
    accepted,
    setLimit(next) {
      pendingLimit = { limit: next, from: Math.floor(Date.now() / options.windowMs) + 1 };
    },
    busiestWindow: () => Math.max(0, ...perWindow.values()),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface WorkerConfig {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly redisUrl?: string | undefined;
  readonly calls: number;
  readonly concurrency: number;
  readonly limit: number;
  readonly windowSeconds: number;
  /** Stop after this many calls (each, ascending) until the harness says go: see FleetControl. */
  readonly pauses?: readonly number[];
  /** After `calls`, keep calling until the shared store is in use again after every outage. */
  readonly untilShared?: boolean;
}

/** A process that never shares again stops here, so the test fails on its assertion instead of hanging. */
export const MAX_CALLS_UNTIL_SHARED = 2000;

export interface WorkerResult {
  /** Calls made: `calls`, plus those `untilShared` added. */
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  readonly failures: string[];
  readonly warnings: string[];
  readonly stats?: { outages: number; resumptions: number; sharedReservations: number; localReservations: number };
}

export type WorkerMessage = { kind: "ready" } | { kind: "paused"; calls: number } | { kind: "result"; result: WorkerResult };

export interface FleetRun {
  readonly results: WorkerResult[];
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  readonly limited: number;
  readonly tokenRequests: number;
  /** Accepted calls per second over the run, divided by the stub's limit per second: a figure for the bench, not a verdict. */
  readonly rateOverLimit: number;
  readonly busiestWindow: number;
  readonly seconds: number;
}

/** Lets `during` act between the workers' phases (WorkerConfig.pauses). */
export interface FleetControl {
  /** Resolves once every worker has paused for the nth time (0-based). */
  paused(n: number): Promise<void>;
  /** Lets every paused worker go on. */
  go(): void;
}

/** Resolves once `child` sends a message of `kind`, or rejects if it exits first. */
function messages(child: ChildProcess): { next(kind: WorkerMessage["kind"]): Promise<WorkerMessage> } {
  const queue: WorkerMessage[] = [];
  const waiting: { kind: string; resolve(m: WorkerMessage): void; reject(e: Error): void }[] = [];
  child.on("message", (message: WorkerMessage) => {
    const i = waiting.findIndex((w) => w.kind === message.kind);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(message);
    else queue.push(message);
  });
  child.once("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`fleet worker exited with ${code} before it sent ${w.kind}`));
  });
  return {
    next: (kind) =>
      new Promise((resolve, reject) => {
        const i = queue.findIndex((m) => m.kind === kind);
        if (i >= 0) return resolve(queue.splice(i, 1)[0]!);
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`fleet worker exited with ${child.exitCode} before it sent ${kind}`));
        waiting.push({ kind, resolve, reject });
      }),
  };
}

/**
 * Forks `workers` processes, waits until each has loaded the SDK, starts them
 * together, and collects what each saw. `during` runs while they work.
 */
export async function runFleet(
  stub: FleetStub,
  workers: number,
  config: Omit<WorkerConfig, "baseUrl" | "tokenUrl">,
  during?: (control: FleetControl) => Promise<void>,
): Promise<FleetRun> {
  // Bundled once: eight processes each loading the SDK through tsx would spend seconds of CPU on every run.
  const worker = await bundled(join(here, "fleet-worker.ts"));
  const children = Array.from({ length: workers }, () => fork(worker, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  const inboxes = children.map(messages);
  try {
    await Promise.all(inboxes.map((inbox) => inbox.next("ready")));
    const results = inboxes.map((inbox) => inbox.next("result").then((m) => (m as Extract<WorkerMessage, { kind: "result" }>).result));
    const pauses: Promise<void>[] = [];
    const control: FleetControl = {
      paused: (n) => {
        // Each worker's pauses arrive in order; ask for them in order too.
        for (let i = pauses.length; i <= n; i++) pauses.push(Promise.all(inboxes.map((inbox) => inbox.next("paused"))).then(() => undefined));
        return pauses[n]!;
      },
      go: () => {
        for (const child of children) child.send("go");
      },
    };
    const started = Date.now();
    for (const child of children) child.send({ ...config, baseUrl: stub.baseUrl, tokenUrl: stub.tokenUrl } satisfies WorkerConfig);
    const [collected] = await Promise.all([Promise.all(results), during?.(control)]);
    const seconds = (Date.now() - started) / 1000;
    const accepted = [...stub.accepted].sort((a, b) => a - b);
    const span = accepted.length > 1 ? (accepted[accepted.length - 1]! - accepted[0]!) / 1000 : 0;
    const perSecond = span > 0 ? (accepted.length - 1) / span : 0;
    return {
      results: collected,
      calls: collected.reduce((n, r) => n + r.calls, 0),
      ok: collected.reduce((n, r) => n + r.ok, 0),
      failed: collected.reduce((n, r) => n + r.failed, 0),
      limited: stub.counts.limited,
      tokenRequests: stub.counts.tokenRequests,
      rateOverLimit: perSecond / (config.limit / config.windowSeconds),
      busiestWindow: stub.busiestWindow(),
      seconds,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await Promise.all(children.map(waitForExit));
  }
}

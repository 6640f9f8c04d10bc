/**
 * The process behind `glp mocks start`: the package's stateful mocks and local
 * issuer (startMocks), a loopback control endpoint for `glp mocks
 * stop|reset|seed|state` (bearer token from the 0600 state file), the state file
 * itself and the profile `mock`. Runs until stopped.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Env } from "./files.js";
import { removeState, writeState, type RunningMocks } from "./mocks-state.js";

export interface ServeOptions {
  readonly services: readonly string[];
  readonly port?: number | undefined;
  readonly seed?: string | undefined;
}

export interface ServedMocks {
  readonly state: RunningMocks;
  /** Resolves once the mocks have stopped (by `glp mocks stop`, a signal, or `stop()`). */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

const BODY_LIMIT = 16 * 1024 * 1024;

async function readJson(request: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error("body too large");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(body ?? null));
}

function sameToken(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(header ?? "")?.[1] ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function serveMocks(options: ServeOptions, env: Env): Promise<ServedMocks> {
  const [{ startMocks }, { saveProfile }] = await Promise.all([import("../testing/index.js"), import("./profiles.js")]);
  const mocks = await startMocks({ services: options.services, ...(options.port === undefined ? {} : { port: options.port }), ...(options.seed === undefined ? {} : { seed: options.seed }) });
  const token = randomBytes(32).toString("hex");
  let finish!: () => void;
  const stopped = new Promise<void>((resolve) => (finish = resolve));
  let stopping: Promise<void> | undefined;
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => send(response, 400, { message: error instanceof Error ? error.message : String(error) }));
  });
  const stop = () =>
    (stopping ??= (async () => {
      await removeState(env, process.pid);
      await Promise.all([mocks.stop(), new Promise((resolve) => server.close(resolve))]);
      finish();
    })());
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!sameToken(request.headers.authorization, token)) return send(response, 401, { message: "not authorized" });
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case "GET /ping":
        return send(response, 200, { ok: true });
      case "GET /state": {
        const path = url.searchParams.get("path");
        if (path !== null) return send(response, 200, mocks.state.collection(path));
        return send(response, 200, { calls: mocks.calls.length, collections: mocks.state.collections() });
      }
      case "POST /reset":
        mocks.reset();
        return send(response, 200, { ok: true });
      case "POST /seed": {
        const body = (await readJson(request)) as { path?: unknown; items?: unknown; append?: unknown } | undefined;
        if (typeof body?.path !== "string" || !Array.isArray(body.items) || !body.items.every((i) => i !== null && typeof i === "object" && !Array.isArray(i))) {
          return send(response, 400, { message: "expected { path, items: [objects], append }" });
        }
        mocks.seed(body.path, body.items as never, { append: body.append === true });
        return send(response, 200, { items: mocks.state.collection(body.path).length });
      }
      case "POST /stop":
        send(response, 200, { ok: true });
        void stop();
        return;
      default:
        return send(response, 404, { message: `no ${route}` });
    }
  }
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", () => resolve()));
  const state: RunningMocks = {
    pid: process.pid,
    services: [...mocks.services],
    baseUrl: mocks.baseUrl,
    tokenUrl: mocks.tokenUrl,
    clientId: mocks.credentials.clientId,
    clientSecret: mocks.credentials.clientSecret,
    workspaceId: mocks.credentials.workspaceId,
    controlUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    controlToken: token,
    startedAt: new Date().toISOString(),
  };
  try {
    await writeState(env, state);
    await saveProfile(env, "mock", {
      clientId: state.clientId,
      workspaceId: state.workspaceId,
      tokenUrl: state.tokenUrl,
      baseUrl: state.baseUrl,
      secret: { stored: state.clientSecret },
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { state, stopped, stop };
}

/** Starts the stub server in a child process and talks to it over IPC. */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { PagedRoute, StubCommand, StubStats } from "./stub-server.js";

export interface Stub {
  baseUrl: string;
  tokenUrl: string;
  stats(): Promise<StubStats>;
  reset(): Promise<void>;
  servePages(route: PagedRoute | null): Promise<void>;
  /** The page answered at `pagePath` and the item answered for every other GET. */
  serveBodies(bodies: { page: string; item: string; pagePath: string }): Promise<void>;
  stop(): Promise<void>;
}

function request<T>(child: ChildProcess, command: StubCommand, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (msg: { type: string } & T) => {
      if (msg.type !== answer) return;
      child.off("message", onMessage);
      resolve(msg);
    };
    child.on("message", onMessage);
    child.send(command);
  });
}

export async function startStub(): Promise<Stub> {
  const script = fileURLToPath(new URL("./stub-server.ts", import.meta.url));
  const child = fork(script, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`bench stub server exited with code ${code}`)));
    child.on("message", (msg: { type: string; port?: number }) => {
      if (msg.type === "listening" && msg.port) resolve(msg.port);
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    tokenUrl: `${baseUrl}/authorization/v2/oauth2/bench-workspace/token`,
    stats: async () => (await request<{ stats: StubStats }>(child, { type: "stats" }, "stats")).stats,
    reset: async () => void (await request(child, { type: "reset" }, "reset")),
    servePages: async (route) => void (await request(child, { type: "paged", route }, "paged")),
    serveBodies: async (bodies) => void (await request(child, { type: "bodies", ...bodies }, "bodies")),
    stop: async () => {
      child.removeAllListeners("exit");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
    },
  };
}

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GreenLake } from "../../src/index.js";
import { startMocks, WORKSPACE_HEADER } from "../../src/testing/index.js";
import { mockClientOptions, mockEndpoints } from "./support/endpoints.js";

/** Child process ids of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
  } catch {
    return false;
  }
}

async function bearer(tokenUrl: string, credentials: { clientId: string; clientSecret: string }): Promise<string> {
  const response = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe("mock harness", () => {
  it("serves an operation through the SDK with a token from the local issuer", async () => {
    const gl = new GreenLake(mockClientOptions());
    const { data, response } = await gl.identity.GET("/identity/v1/users", {});
    expect(response.status).toBe(200);
    expect(data).toHaveProperty("items");
    expect(response.headers.get(WORKSPACE_HEADER)).toBe(mockEndpoints().credentials.workspaceId);
  });

  it("answers 401 with an HPE error body to a missing token or one the issuer did not issue", async () => {
    const url = `${mockEndpoints().baseUrl}/identity/v1/users`;
    const cases: Array<Record<string, string>> = [{}, { authorization: "Bearer forged" }];
    for (const headers of cases) {
      const response = await fetch(url, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ httpStatusCode: 401, errorCode: "HPE_GL_ERROR_UNAUTHORIZED" });
    }
  });

  it("calls as an MSP tenant with a token from RFC 8693 exchange", async () => {
    const tenant = "fedcba9876543210fedcba9876543210";
    const gl = new GreenLake(mockClientOptions()).forTenant(tenant);
    const { response } = await gl.workspace.GET("/workspaces/v1/msp-tenants", {} as never);
    expect(response.status).toBe(200);
    expect(response.headers.get(WORKSPACE_HEADER)).toBe(tenant);
  });

  it("rejects revoked tokens, and stop() ends the Prism process", async () => {
    const before = new Set(childrenOf(process.pid));
    const mocks = await startMocks({ services: ["credentials"] });
    const started = childrenOf(process.pid).filter((pid) => !before.has(pid));
    expect(started).toHaveLength(1);

    const token = await bearer(mocks.tokenUrl, mocks.credentials);
    const call = () => fetch(`${mocks.baseUrl}/workspaces/v1/credentials`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);
    // A service that was not started says so instead of passing for a missing path.
    const notStarted = await fetch(`${mocks.baseUrl}/identity/v1/users`, { headers: { authorization: `Bearer ${token}` } });
    expect(notStarted.status).toBe(501);
    expect(await notStarted.json()).toMatchObject({ httpStatusCode: 501 });
    mocks.revokeTokens();
    expect((await call()).status).toBe(401);
    expect(mocks.tokenStats.clientCredentialsGrants).toBe(1);

    await mocks.stop();
    expect(started.filter(alive)).toEqual([]);
  });

  it("leaves no process behind when interrupted", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/contract/support/mocks-process.ts"], { stdio: ["ignore", "pipe", "inherit"] });
    const ready = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(out);
      });
      child.once("exit", (code) => reject(new Error(`mocks process exited early with ${code}`)));
    });
    expect(ready).toMatch(/^ready \d+/);
    const prism = childrenOf(child.pid!);
    expect(prism.length).toBeGreaterThan(0);

    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGINT");
    expect(await exited).toBe("SIGINT");
    // Children are reaped asynchronously: allow them a few seconds, not forever.
    for (const deadline = Date.now() + 5_000; prism.some(alive) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    expect(prism.filter(alive)).toEqual([]);
  });
});

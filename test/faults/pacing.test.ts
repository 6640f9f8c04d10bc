/**
 * One process, no Redis: pacing against loopback stubs that enforce limits.
 * The declared limits come from the generated metadata; the header-driven
 * slowdown from a server that lowers its limit mid-run and says so in its headers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { GreenLake } from "../../src/index.js";
import { FLEET_CLIENT_ID, FLEET_SECRET, FLEET_WORKSPACE, startFleetStub, type FleetStub } from "./fleet-harness.js";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

/** Calls `call` `total` times with `concurrency` lanes. */
async function drive(total: number, concurrency: number, call: () => Promise<{ response: Response }>): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      next++;
      statuses.push((await call()).response.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return statuses;
}

/**
 * The strictest server a stated "N per minute" allows: calls evenly spaced at
 * the limit (a quarter early tolerated, for a loaded machine), 429 for one that comes sooner.
 */
async function spacingServer(requestsPerMinute: number): Promise<{ url: string; limited: () => number; accepted: () => number }> {
  const minGapMs = (60_000 / requestsPerMinute) * 0.75;
  let last = 0;
  let limited = 0;
  let accepted = 0;
  const server: Server = createServer((req, res) => {
    const now = Date.now();
    if (now - last < minGapMs) {
      limited++;
      res.writeHead(429, { "content-type": "application/json", "retry-after": "1" }).end("{}");
      return;
    }
    last = now;
    accepted++;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ items: [], count: 0, offset: 0, total: 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, limited: () => limited, accepted: () => accepted };
}

describe("pacing in one process", () => {
  it("keeps to the limit the document states (300 a minute for GET /devices/v2beta1/devices), where unpaced calls are refused", async () => {
    const paced = await spacingServer(300);
    const gl = new GreenLake({ token: "t", baseUrl: paced.url, env: {}, retry: false });
    const statuses = await drive(10, 4, () => gl.deviceManagement.GET("/devices/v2beta1/devices"));
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(paced.accepted()).toBe(10);

    const unpaced = await spacingServer(300);
    const off = new GreenLake({ token: "t", baseUrl: unpaced.url, env: {}, retry: false, pacing: false });
    await drive(10, 4, () => off.deviceManagement.GET("/devices/v2beta1/devices"));
    expect(unpaced.limited()).toBeGreaterThan(0);
  });

  it("slows down from the server's headers when it lowers its limit mid-run, with no 429", async () => {
    const run = async (pacing: false | undefined): Promise<{ stub: FleetStub; statuses: number[] }> => {
      const stub = await startFleetStub({ limit: 8, windowMs: 500, headers: true });
      servers.push(stub);
      const gl = new GreenLake({ clientId: FLEET_CLIENT_ID, clientSecret: FLEET_SECRET, workspaceId: FLEET_WORKSPACE, tokenUrl: stub.tokenUrl, baseUrl: stub.baseUrl, env: {}, retry: false, pacing });
      setTimeout(() => stub.setLimit(3), 1200);
      const statuses = await drive(36, 3, () => gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers"));
      return { stub, statuses };
    };
    const paced = await run(undefined);
    expect(paced.statuses.filter((s) => s === 429)).toHaveLength(0);
    expect(paced.stub.counts.ok).toBe(36);
    const unpaced = await run(false);
    expect(unpaced.statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});

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
 * The strictest server a stated "N per minute" allows: counted from `start()`, the kth call it accepts may not
 * arrive sooner than k intervals later; one that does gets 429. A paced client never meets that at any speed:
 * each call leaves at or after its booked slot, and the kth slot is at least k intervals after the first.
 */
async function spacingServer(requestsPerMinute: number): Promise<{ url: string; start(): void; limited: () => number; accepted: () => number; arrivals: number[] }> {
  const intervalMs = 60_000 / requestsPerMinute;
  // Date.now() (the pacer's clock) and the timers' clock may disagree by a millisecond or two.
  const clockSlackMs = 5;
  let startedAt = Date.now();
  let limited = 0;
  const arrivals: number[] = [];
  const server: Server = createServer((req, res) => {
    const now = Date.now();
    if (now < startedAt + arrivals.length * intervalMs - clockSlackMs) {
      limited++;
      res.writeHead(429, { "content-type": "application/json", "retry-after": "1" }).end("{}");
      return;
    }
    arrivals.push(now);
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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    start: () => void (startedAt = Date.now()),
    limited: () => limited,
    accepted: () => arrivals.length,
    arrivals,
  };
}

describe("pacing in one process", () => {
  it("keeps to the limit the document states (300 a minute for GET /devices/v2beta1/devices), where unpaced calls are refused", async () => {
    const paced = await spacingServer(300);
    const gl = new GreenLake({ token: "t", baseUrl: paced.url, env: {}, retry: false });
    paced.start();
    const statuses = await drive(10, 4, () => gl.deviceManagement.GET("/devices/v2beta1/devices"));
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(paced.accepted()).toBe(10);

    // The same server is strict enough to matter: ten calls at once, unpaced, would need 1.8 s between the first
    // and the last to pass; they arrive within a round trip (on a machine fifty times slower, still well within).
    const unpaced = await spacingServer(300);
    const off = new GreenLake({ token: "t", baseUrl: unpaced.url, env: {}, retry: false, pacing: false });
    unpaced.start();
    await drive(10, 10, () => off.deviceManagement.GET("/devices/v2beta1/devices"));
    expect(unpaced.limited()).toBeGreaterThan(0);
  });

  // Whether a paced call meets a 429 on a fixed-window server depends on the machine: a call held up past its
  // slot can land in the next window (npm run bench counts them). What holds at any speed: the client takes in
  // the lower limit from the headers, and with retries (the default) every call ends answered.
  it("follows the server's headers when it lowers its limit mid-run, and every call is answered", async () => {
    const stub = await startFleetStub({ limit: 8, windowMs: 500, headers: true });
    servers.push(stub);
    const gl = new GreenLake({ clientId: FLEET_CLIENT_ID, clientSecret: FLEET_SECRET, workspaceId: FLEET_WORKSPACE, tokenUrl: stub.tokenUrl, baseUrl: stub.baseUrl, env: {} });
    let lowered = false;
    // Twelve calls under each limit: at the lowered one they take four windows, enough for its headers to be taken in.
    const statuses = await drive(24, 3, () => {
      // Mid-run by count, not by clock: after half of the calls.
      if (!lowered && stub.counts.ok >= 12) {
        lowered = true;
        stub.setLimit(3);
      }
      return gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers");
    });
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(stub.counts.ok).toBe(24);
    // The operation states no limit: the client learned a budget from the headers, and what it holds is the lowered
    // limit's count (at most 3 - 1 remain after a call; under the first limit up to 7 could).
    const budget = gl.rateLimitState().find((s) => s.budget === "api-client GET /compute-ops-mgmt/v1/servers");
    expect(budget).toMatchObject({ source: "headers", scope: "api-client" });
    expect(budget!.serverRemaining).toBeLessThanOrEqual(2);
    console.log(`pacing on headers: ${stub.counts.limited} call(s) answered 429 and retried, busiest window ${stub.busiestWindow()}`);
  });
});

/**
 * An MSP's tenant clients act in other workspaces: a limit GreenLake states per workspace is each tenant
 * workspace's own budget, while a limit per API client stays one budget for the MSP and all its tenants.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ServiceMetadata } from "../../src/metadata.js";
import { createLog } from "../../src/logging.js";
import { Pacer } from "../../src/internal/pacing.js";
import { busiestWindow } from "./support/windows.js";

afterEach(() => {
  vi.useRealTimers();
});

const HOST = "https://global.api.greenlake.hpe.com";
const WINDOW_MS = 1000;

function service(perWorkspace: number, perClient: number): ServiceMetadata {
  const op = (method: "get", path: string, requests: number, scope: "workspace" | "api-client") => ({
    method,
    path,
    operationId: `${method}${path}`,
    deprecated: false,
    document: "identity",
    rateLimits: [{ requests, windowSeconds: WINDOW_MS / 1000, scope, source: `description of ${method.toUpperCase()} ${path}` }],
  });
  return {
    service: "identity",
    documents: ["identity"],
    servers: { global: HOST },
    operations: [op("get", "/identity/v1/users", perWorkspace, "workspace"), op("get", "/identity/v1/user-groups", perClient, "api-client")],
  };
}

let run = 0;

describe("pacing an MSP and its tenants", () => {
  it("gives each tenant workspace its own workspace budgets and keeps API-client budgets shared (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        // Who calls (0: the MSP itself, 1..: a tenant) and which operation, in arrival order.
        fc.array(fc.record({ who: fc.nat({ max: 3 }), perClient: fc.boolean() }), { minLength: 1, maxLength: 24 }),
        fc.boolean(),
        async (perWorkspace, perClient, calls, upperCaseTenant) => {
          vi.useFakeTimers({ now: 50_000_000 });
          try {
            run++;
            // Budgets are process-wide: ids of their own keep each case's budgets apart.
            const apiClient = `msp-client-${run}`;
            const tenants = [1, 2, 3].map((i) => `${run.toString(16).padStart(8, "0")}${"0".repeat(23)}${i}`);
            const msp = new Pacer({ identity: { apiClient, workspace: `msp-workspace-${run}` }, options: { margin: 0 }, log: createLog({}) });
            const pacers = [msp, ...tenants.map((t) => msp.forWorkspace(upperCaseTenant ? t.toUpperCase() : t))];
            const metadata = service(perWorkspace, perClient);
            const paced = pacers.map((p) => p.forService(metadata)!);
            const starts: { who: number; perClient: boolean; at: number }[] = [];
            const pending = calls.map(async ({ who, perClient: clientWide }) => {
              const url = `${HOST}/identity/v1/${clientWide ? "user-groups" : "users"}`;
              const ticket = await paced[who]!.acquire("GET", url, undefined);
              starts.push({ who, perClient: clientWide, at: Date.now() });
              paced[who]!.release(ticket);
            });
            await vi.advanceTimersByTimeAsync(WINDOW_MS * (calls.length + 1));
            await Promise.all(pending);
            expect(starts).toHaveLength(calls.length);
            const t0 = 50_000_000;
            for (let who = 0; who < pacers.length; who++) {
              const mine = starts.filter((s) => s.who === who && !s.perClient).map((s) => s.at);
              // Each workspace keeps within its own limit...
              expect(busiestWindow(mine, WINDOW_MS)).toBeLessThanOrEqual(perWorkspace);
              // ...and what the other workspaces spent does not hold it back: its first window is its own.
              expect(mine.filter((at) => at < t0 + WINDOW_MS).length).toBe(Math.min(perWorkspace, mine.length));
            }
            // The API client's limit covers the MSP and every tenant together.
            expect(busiestWindow(starts.filter((s) => s.perClient).map((s) => s.at), WINDOW_MS)).toBeLessThanOrEqual(perClient);
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a tenant client of the same workspace as a direct client shares that workspace's budget", async () => {
    vi.useFakeTimers({ now: 60_000_000 });
    const workspace = "abcdef0123456789abcdef0123456789";
    const log = createLog({});
    const direct = new Pacer({ identity: { apiClient: "tenant-own-client", workspace }, options: { margin: 0 }, log });
    const viaMsp = new Pacer({ identity: { apiClient: "msp-own-client", workspace: "msp-ws" }, options: { margin: 0 }, log }).forWorkspace(
      "ABCDEF01-2345-6789-ABCD-EF0123456789",
    );
    const metadata = service(1, 100);
    const url = `${HOST}/identity/v1/users`;
    const first = await direct.forService(metadata)!.acquire("GET", url, undefined);
    const times: number[] = [];
    const second = Promise.resolve(viaMsp.forService(metadata)!.acquire("GET", url, undefined)).then(() => times.push(Date.now()));
    await vi.advanceTimersByTimeAsync(999);
    expect(times).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(times).toEqual([60_001_000]);
    expect(first.budgets).toHaveLength(1);
  });
});

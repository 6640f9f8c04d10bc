/**
 * A tenant client's pacing identity is the MSP's API client in the tenant's workspace: resolving it asks the
 * API client's setting only. The MSP's own workspace setting (a provider that fails, answers nothing usable,
 * or never answers) is no part of it, so a tenant's calls neither wait on it nor ask it again.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ServiceMetadata } from "../../src/metadata.js";
import { createLog } from "../../src/logging.js";
import { Pacer, pacingIdentity } from "../../src/internal/pacing.js";

const HOST = "https://global.api.greenlake.hpe.com";

const metadata: ServiceMetadata = {
  service: "identity",
  documents: ["identity"],
  servers: { global: HOST },
  operations: [
    {
      method: "get",
      path: "/identity/v1/users",
      operationId: "getUsers",
      deprecated: false,
      document: "identity",
      // Limited, so calls draw on budgets (and resolve the identity), but loosely enough that none waits.
      rateLimits: [{ requests: 1_000_000, windowSeconds: 60, scope: "workspace", source: "description of GET /identity/v1/users" }],
    },
  ],
};

let run = 0;

afterEach(() => {
  vi.useRealTimers();
});

/** One operation GreenLake limits to one call a second per API client. */
const perClient: ServiceMetadata = {
  ...metadata,
  operations: [{ ...metadata.operations[0]!, rateLimits: [{ requests: 1, windowSeconds: 1, scope: "api-client", source: "description of GET /identity/v1/users" }] }],
};

describe("a tenant's pacing identity", () => {
  it("never asks the MSP's workspace setting, whatever it does (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("throws", "rejects", "empty", "hangs", "not a string"),
        fc.boolean(),
        fc.integer({ min: 1, max: 5 }),
        async (behaviour, clientIsProvider, calls) => {
          run++;
          let asked = 0;
          const workspace = () => {
            asked++;
            if (behaviour === "throws") throw new Error("vault down");
            if (behaviour === "rejects") return Promise.reject(new Error("vault down"));
            if (behaviour === "hangs") return new Promise<string>(() => {});
            return (behaviour === "empty" ? "  " : 42) as unknown as string;
          };
          const client = `tenant-identity-client-${run}`;
          const identity = pacingIdentity(clientIsProvider ? () => Promise.resolve(client) : client, workspace);
          const tenant = new Pacer({ identity, options: { margin: 0 }, log: createLog({}) }).forWorkspace(`${run.toString(16).padStart(8, "0")}${"0".repeat(24)}`);
          const paced = tenant.forService(metadata)!;
          for (let i = 0; i < calls; i++) {
            const ticket = await paced.acquire("GET", `${HOST}/identity/v1/users`, undefined);
            paced.release(ticket);
          }
          expect(asked).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("follows the API client setting once a provider that failed answers: its budgets become the API client's", async () => {
    vi.useFakeTimers({ now: 70_000_000 });
    run++;
    const client = `late-client-${run}`;
    let answers = 0;
    const apiClient = () => (++answers === 1 ? Promise.reject(new Error("vault down")) : Promise.resolve(client));
    const msp = new Pacer({ identity: pacingIdentity(apiClient, () => "msp-ws"), options: { margin: 0 }, log: createLog({}) });
    const tenant = msp.forWorkspace("ABCDEF01-2345-6789-ABCD-EF012345678" + (run % 10)).forService(perClient)!;
    const url = `${HOST}/identity/v1/users`;
    // The first call's budget is the client's own (its API client unknown yet); the second's is the API client's.
    tenant.release(await tenant.acquire("GET", url, undefined));
    tenant.release(await tenant.acquire("GET", url, undefined));
    const direct = new Pacer({ identity: { apiClient: client, workspace: "other-ws" }, options: { margin: 0 }, log: createLog({}) }).forService(perClient)!;
    const times: number[] = [];
    const third = Promise.resolve(direct.acquire("GET", url, undefined)).then(() => times.push(Date.now()));
    await vi.advanceTimersByTimeAsync(999);
    expect(times).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await third;
    expect(times).toEqual([70_001_000]);
  });
});

/**
 * A tenant client's pacing identity is the MSP's API client in the tenant's workspace: resolving it asks the
 * API client's setting only. The MSP's own workspace setting (a provider that fails, answers nothing usable,
 * or never answers) is no part of it, so a tenant's calls neither wait on it nor ask it again.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
      rateLimits: [{ requests: 1000, windowSeconds: 60, scope: "workspace", source: "description of GET /identity/v1/users" }],
    },
  ],
};

let run = 0;

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
});

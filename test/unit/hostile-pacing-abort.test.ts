/** A caller's abort ends a call whose pacing still waits on the identity providers (a vault that stopped answering). */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLakeAbortedError } from "../../src/errors.js";
import type { ServiceMetadata } from "../../src/metadata.js";
import { createServiceClient } from "../../src/service-client.js";
import { WORKSPACE, type FixturePaths } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

const limited: ServiceMetadata = {
  service: "identity",
  documents: ["identity"],
  servers: { global: "https://global.api.greenlake.hpe.com" },
  operations: [
    {
      method: "get",
      path: "/identity/v1/users",
      operationId: "listUsers",
      deprecated: false,
      document: "identity",
      rateLimits: [{ requests: 100, windowSeconds: 60, scope: "workspace", source: "test" }],
    },
  ],
} as unknown as ServiceMetadata;

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(req.url?.includes("/token") ? '{"access_token":"paced-token-abcdefgh","expires_in":900}' : "{}");
  });
});
afterAll(() => server.close());

describe("pacing's identity resolution", () => {
  it("ends every call sharing the caller's signal when the client id provider answers the token request and then never again", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.boolean(), async (calls, workspaceProvider) => {
        const controller = new AbortController();
        let asked = 0;
        const clientId = (): Promise<string> => {
          asked++;
          if (asked === 1) return Promise.resolve("paced-client");
          // From now on the provider never answers; the caller gives up as soon as it is asked.
          setImmediate(() => controller.abort(new Error("caller gave up")));
          return new Promise<string>(() => {});
        };
        const apiBefore = server.received.filter((r) => !r.target.includes("/token")).length;
        const client = createServiceClient<FixturePaths>(limited, {
          clientId,
          clientSecret: "paced-secret-value",
          workspaceId: workspaceProvider ? () => WORKSPACE : WORKSPACE,
          tokenUrl: `${server.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
          baseUrl: server.url,
          retry: false,
          env: {},
        });
        const outcomes = await Promise.all(Array.from({ length: calls }, () => client.GET("/identity/v1/users", { signal: controller.signal }).catch((e: unknown) => e)));
        expect(asked).toBe(2);
        for (const error of outcomes) expect(error).toBeInstanceOf(GreenLakeAbortedError);
        expect(server.received.filter((r) => !r.target.includes("/token")).length).toBe(apiBefore);
      }),
      { numRuns: 12 },
    );
  });
});

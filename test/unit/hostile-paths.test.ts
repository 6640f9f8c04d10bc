/** A path is joined to the client's base URL as text: whatever path a call is given, it reaches the client's own host or nothing. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GreenLakeConfigurationError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, regionalService, stubFetch, type FixturePaths } from "./support/fixtures.js";

describe("a call's path", () => {
  it("reaches only the client's own host, or the call is refused before anything is sent", async () => {
    const own = new URL(regionalService.servers["us-west"]!).origin;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom("@evil.example/x", ".evil.example/x", ":8080/x", "$", "")), async (path) => {
        const stub = stubFetch(() => json({}));
        const c = createServiceClient<any>(regionalService, { token: "t", region: "us-west", fetch: stub.fetch, retry: false, env: {} });
        const outcome = await c.GET(path as never, {}).catch((e: unknown) => e);
        if (!path.startsWith("/")) {
          expect(outcome).toBeInstanceOf(GreenLakeConfigurationError);
          expect(stub.requests).toHaveLength(0);
        }
        for (const r of stub.requests) expect(new URL(r.url).origin).toBe(own);
      }),
      { numRuns: 300 },
    );
  });

  it("without a leading slash does not take the token to the host it names", async () => {
    const stub = stubFetch(() => json({}));
    const c = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch: stub.fetch, retry: false, env: {} });
    await expect((c.GET as (p: string) => Promise<unknown>)("@evil.example/steal")).rejects.toThrow(/needs a path that starts with "\/"/);
    expect(stub.requests).toHaveLength(0);
  });
});

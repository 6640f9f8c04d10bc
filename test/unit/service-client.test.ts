/** The service client: call options reach the transport as values, regions resolve per call, nothing internal shows. */
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GreenLakeConfigurationError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, regionalService, stubFetch, type FixturePaths } from "./support/fixtures.js";

describe("service client", () => {
  it("routes each call to the region it names, else the client's, and fails only that call when neither is set", async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(fc.constantFrom("us-west", "eu-central"), { nil: undefined }), fc.option(fc.constantFrom("us-west", "eu-central"), { nil: undefined }), async (clientRegion, callRegion) => {
        const { fetch, requests } = stubFetch(() => json({ items: [] }));
        const client = createServiceClient<FixturePaths>(regionalService, { token: "t", fetch, region: clientRegion, env: {} });
        const call = client.GET("/compute-ops-mgmt/v1/servers", callRegion === undefined ? {} : { region: callRegion });
        const expected = callRegion ?? clientRegion;
        if (expected === undefined) {
          await expect(call).rejects.toBeInstanceOf(GreenLakeConfigurationError);
          expect(requests).toHaveLength(0);
        } else {
          await call;
          expect(new URL(requests[0]!.url).host).toBe(`${expected}.api.greenlake.hpe.com`);
        }
      }),
      { numRuns: 30 },
    );
  });

  it("refuses a call option of the wrong type before anything is sent", async () => {
    const { fetch, requests } = stubFetch(() => json({ items: [] }));
    const client = createServiceClient<FixturePaths>(regionalService, { token: "t", fetch, region: "us-west", env: {} });
    const get = client.GET as unknown as (p: string, i: unknown) => Promise<unknown>;
    await expect(get("/compute-ops-mgmt/v1/servers", { timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(get("/compute-ops-mgmt/v1/servers", { region: 42 })).rejects.toThrow(/region/);
    await expect(get("/compute-ops-mgmt/v1/servers", { tenantAcid: "a\r\nX-Injected: 1" })).rejects.toThrow(/tenantAcid/);
    expect(requests).toHaveLength(0);
  });

  it("shows no runtime, settings or credentials when inspected or serialized", () => {
    const secretToken = "static-token-never-shown-0123456789";
    const client = createServiceClient<FixturePaths>(regionalService, {
      token: secretToken,
      region: "us-west",
      proxy: "http://user:proxy-password-0123@127.0.0.1:3128",
      env: {},
    });
    const text = `${inspect(client, { depth: Infinity })}${JSON.stringify(client)}${inspect(client.withRegion("eu-central"), { depth: Infinity })}`;
    expect(text).not.toContain(secretToken);
    expect(text).not.toContain("proxy-password-0123");
    expect(text).not.toContain("settings");
    expect(text).not.toContain("credentials");
  });
});

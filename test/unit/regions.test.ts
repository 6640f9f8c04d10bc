import { describe, expect, it } from "vitest";
import { GreenLakeConfigurationError } from "../../src/errors.js";
import { serverUrlFor } from "../../src/internal/regions.js";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, json, regionalService, stubFetch, type FixturePaths } from "./support/fixtures.js";

describe("regions", () => {
  it("picks the region's server and ignores the region for global services", () => {
    expect(serverUrlFor(regionalService, "eu-central")).toBe("https://eu-central.api.greenlake.hpe.com");
    expect(serverUrlFor(globalService, "eu-central")).toBe("https://global.api.greenlake.hpe.com");
    expect(serverUrlFor(globalService, undefined)).toBe("https://global.api.greenlake.hpe.com");
  });

  it("lists the valid regions when one is missing or not served", () => {
    expect(() => serverUrlFor(regionalService, undefined)).toThrow(/regional service: set `region`.*us-west, eu-central/);
    expect(() => serverUrlFor(regionalService, "ap-northeast")).toThrow(/not served in region "ap-northeast"; valid regions: us-west, eu-central/);
    expect(() => serverUrlFor(regionalService, "toString")).toThrow(GreenLakeConfigurationError);
  });

  it("fails at client creation for an unserved region", () => {
    expect(() => createServiceClient(regionalService, { token: "t", region: "eu-west", env: {} })).toThrow(/valid regions/);
  });

  it("overrides the region per call and per client", async () => {
    const { fetch, requests } = stubFetch(() => json({ items: [] }));
    const com = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch, env: {} });
    await com.GET("/compute-ops-mgmt/v1/servers");
    await com.GET("/compute-ops-mgmt/v1/servers", { region: "eu-central" });
    await com.withRegion("eu-central").GET("/compute-ops-mgmt/v1/servers");
    expect(requests.map((r) => new URL(r.url).host)).toEqual([
      "us-west.api.greenlake.hpe.com",
      "eu-central.api.greenlake.hpe.com",
      "eu-central.api.greenlake.hpe.com",
    ]);
    expect(com.withRegion("eu-central")).toBe(com.withRegion("eu-central"));
    await expect(com.GET("/compute-ops-mgmt/v1/servers", { region: "mars" })).rejects.toThrow(/valid regions/);
  });

  it("resolves an async region provider at the first call", async () => {
    const { fetch, requests } = stubFetch(() => json({ items: [] }));
    let asked = 0;
    const com = createServiceClient<FixturePaths>(regionalService, {
      token: "t",
      region: async () => {
        asked++;
        return "eu-central";
      },
      fetch,
      env: {},
    });
    await com.GET("/compute-ops-mgmt/v1/servers", { params: { query: { limit: 1 } } });
    await com.GET("/compute-ops-mgmt/v1/servers");
    expect(requests.map((r) => r.url)).toEqual([
      "https://eu-central.api.greenlake.hpe.com/compute-ops-mgmt/v1/servers?limit=1",
      "https://eu-central.api.greenlake.hpe.com/compute-ops-mgmt/v1/servers",
    ]);
    expect(asked).toBe(1);
  });

  it("asks a failed region provider again on the next call instead of keeping its failure", async () => {
    const { fetch, requests } = stubFetch(() => json({ items: [] }));
    let asked = 0;
    const com = createServiceClient<FixturePaths>(regionalService, {
      token: "t",
      region: async () => {
        asked++;
        if (asked === 1) throw new Error("vault unavailable");
        return "eu-central";
      },
      fetch,
      env: {},
    });
    await expect(com.GET("/compute-ops-mgmt/v1/servers")).rejects.toThrow("vault unavailable");
    await com.GET("/compute-ops-mgmt/v1/servers");
    expect(requests.map((r) => new URL(r.url).host)).toEqual(["eu-central.api.greenlake.hpe.com"]);
    expect(asked).toBe(2);
  });

  it("sends everything to a custom base URL", async () => {
    const { fetch, requests } = stubFetch(() => json({}));
    const com = createServiceClient<FixturePaths>(regionalService, { token: "t", baseUrl: "http://127.0.0.1:9/prefix/", fetch, env: {} });
    await com.GET("/compute-ops-mgmt/v1/servers", { region: "eu-central" });
    expect(requests[0]!.url).toBe("http://127.0.0.1:9/prefix/compute-ops-mgmt/v1/servers");
  });
});

import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import { serviceKeys, serviceNames } from "../../generated/services/index.js";
import { GreenLake } from "../../src/greenlake.js";
import { GreenLakeConfigurationError, type GreenLakeOptions, type ServiceClient } from "../../src/index.js";
import { json, SECRET, startTokenServer, stubFetch, uniqueClientId, WORKSPACE, type TokenServer } from "./support/fixtures.js";

let issuer: TokenServer;
beforeEach(async () => {
  issuer = await startTokenServer();
});
afterEach(async () => {
  await issuer.close();
});

describe("GreenLake", () => {
  it("offers every generated service under its camelCase name, created once and lazily", () => {
    const gl = new GreenLake({ token: "t", baseUrl: "http://127.0.0.1:1", env: {} });
    expect(serviceKeys).toHaveLength(25);
    for (const key of serviceKeys) {
      const client = (gl as unknown as Record<string, ServiceClient<{}>>)[serviceNames[key]];
      expect(client?.metadata.service).toBe(key);
      expect(gl.service(key)).toBe(client);
    }
    expectTypeOf(gl.computeOpsMgmt).toEqualTypeOf(gl.service("compute-ops-mgmt"));
  });

  it("names the known services for an unknown key, including names every object inherits", () => {
    const gl = new GreenLake({ token: "t", baseUrl: "http://127.0.0.1:1", env: {} });
    for (const key of ["nope", "toString", "constructor"]) {
      expect(() => gl.service(key as never)).toThrow(/^Unknown GreenLake service ".*"; known services: audit-logs, /);
    }
  });

  it("shares one token across services", async () => {
    const { fetch, requests } = stubFetch(() => json({ items: [] }));
    const gl = new GreenLake({
      clientId: uniqueClientId(),
      clientSecret: SECRET,
      workspaceId: WORKSPACE,
      tokenUrl: `${issuer.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
      region: "us-west",
      fetch,
      env: {},
    });
    await Promise.all([
      gl.identity.GET("/identity/v1/users", { params: { query: { limit: 1 } } }),
      gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers"),
    ]);
    expect(issuer.requests).toHaveLength(1);
    expect(requests.map((r) => new URL(r.url).host).sort()).toEqual(["global.api.greenlake.hpe.com", "us-west.api.greenlake.hpe.com"]);
  });

  it("fails at construction for bad settings, and at the first call of a regional service without a region", async () => {
    expect(() => new GreenLake({ env: {} })).toThrow(GreenLakeConfigurationError);
    const gl = new GreenLake({ token: "t", env: {} });
    // Taking a service never throws for a setting only its calls need.
    const { identity, computeOpsMgmt } = gl;
    expect(identity.metadata.service).toBe("identity");
    await expect(computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers")).rejects.toThrow(/compute-ops-mgmt is a regional service: set `region`/);
    await expect(
      new GreenLake({ token: "t", region: "eu-central", env: {} }).consumptionAnalytics.GET("/consumption-analytics/v2/reports"),
    ).rejects.toThrow(/valid regions: us-west/);
  });

  /** An MSP's client whose token requests and exchanges go to the test issuer, each token named after its grant. */
  function mspClient(options: GreenLakeOptions) {
    issuer.respond((form, i) => ({ status: 200, body: { access_token: `${form.get("grant_type")?.slice(-8)}-${i}`, expires_in: 900 } }));
    const { fetch, requests } = stubFetch(() => json({ items: [] }));
    const tokenUrl = `${issuer.url}/authorization/v2/oauth2/${WORKSPACE}/token`;
    const gl = new GreenLake({ clientId: uniqueClientId(), clientSecret: SECRET, workspaceId: WORKSPACE, tokenUrl, fetch, env: {}, ...options });
    return { gl, requests };
  }

  it("gives a tenant client whose token comes from a token exchange", async () => {
    const tenant = "fedcba9876543210fedcba9876543210";
    const { gl, requests } = mspClient({ tenantAcid: "acid-1" });
    const asTenant = gl.forTenant(tenant);
    expect(gl.forTenant(tenant.toUpperCase())).toBe(asTenant);
    await asTenant.identity.GET("/identity/v1/users");
    await gl.identity.GET("/identity/v1/users", { tenantAcid: "acid-2" });
    expect(issuer.requests.map((r) => r.path)).toEqual([
      `/authorization/v2/oauth2/${WORKSPACE}/token`,
      `/authorization/v2/oauth2/${tenant}/token`,
    ]);
    expect(requests[0]!.headers.get("authorization")).toBe("Bearer exchange-1");
    expect(requests[1]!.headers.get("authorization")).toBe("Bearer dentials-0");
    expect(requests.map((r) => r.headers.get("tenant-acid"))).toEqual(["acid-1", "acid-2"]);
    expect(() => gl.forTenant("nope")).toThrow(/tenant workspace id is malformed/);
  });

  it("paces a tenant client on its own workspace's budgets, not on the MSP's", async () => {
    const tenant = "00112233445566778899aabbccddeeff";
    // Any pacing wait aborts the call waiting: a tenant call held back by the MSP's call fails instead of waiting half an hour.
    const waiting = new AbortController();
    const { gl, requests } = mspClient({
      pacing: { margin: 0, limits: { "GET /identity/v1/users": { requests: 2, windowSeconds: 3600, scope: "workspace" } } },
      logLevel: "debug",
      logger: { debug: (line: string) => (line.startsWith("Pacing:") ? waiting.abort(new Error(line)) : undefined) },
    });
    await gl.identity.GET("/identity/v1/users");
    await gl.forTenant(tenant).identity.GET("/identity/v1/users", { signal: waiting.signal });
    expect(waiting.signal.aborted).toBe(false);
    expect(requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer dentials-0", "Bearer exchange-1"]);
  });
});

// Type-level checks here are enforced by `tsc -p tsconfig.json`: an `@ts-expect-error` that no longer errors fails it.
import { describe, expect, expectTypeOf, it } from "vitest";
import { GreenLake } from "../../src/greenlake.js";
import type { CallOptions } from "../../src/service-client.js";
import { json, stubFetch } from "./support/fixtures.js";

function greenLake() {
  const { fetch, requests } = stubFetch(() => json({ items: [], count: 0, offset: 0, total: 0 }));
  return { gl: new GreenLake({ token: "t", region: "us-west", fetch, env: {} }), requests };
}

// Never called: it only has to type-check (or fail to, where marked).
async function typeChecks(gl: GreenLake, signal: AbortSignal): Promise<void> {
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { region: "us-west", tenantAcid: "acid", timeoutMs: 5_000, signal });
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { region: "us-west", params: { query: { limit: 10 } } });
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers/{id}", { region: "eu-central", params: { path: { id: "x" } } });
  await gl.computeOpsMgmt.request("get", "/compute-ops-mgmt/v1/servers", { timeoutMs: 0 });
  await gl.computeOpsMgmt.DELETE("/compute-ops-mgmt/v1/servers/{id}", { tenantAcid: "acid", params: { path: { id: "x" } } });
  // Other RequestInit keys still pass through, as in openapi-fetch.
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { keepalive: true, cache: "no-store" });

  // @ts-expect-error region is a region name
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { region: 42 });
  // @ts-expect-error tenantAcid is a string
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { tenantAcid: true });
  // @ts-expect-error timeoutMs is a number of milliseconds
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { timeoutMs: "5s" });
  // @ts-expect-error signal is an AbortSignal
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { signal: "stop" });
  // @ts-expect-error every method checks them, DELETE included
  await gl.computeOpsMgmt.DELETE("/compute-ops-mgmt/v1/servers/{id}", { region: 1, params: { path: { id: "x" } } });
  // @ts-expect-error and client.request
  await gl.computeOpsMgmt.request("get", "/compute-ops-mgmt/v1/servers", { region: ["us-west"] });
  // @ts-expect-error and withRegion's client
  await gl.computeOpsMgmt.withRegion("eu-central").GET("/compute-ops-mgmt/v1/servers", { timeoutMs: null });

  // The operation's own typing is unchanged: unknown paths, wrong params and missing required params still fail.
  // @ts-expect-error no such path
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/no-such-path", { region: "us-west" });
  // @ts-expect-error limit is a number
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { region: "us-west", params: { query: { limit: "ten" } } });
  // @ts-expect-error the path parameter id is required
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers/{id}", { region: "us-west" });
  // @ts-expect-error init is required when the operation has required parameters
  await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers/{id}");
}

describe("per-call options", () => {
  it("are typed on every method and keep the operation's response type", () => {
    expectTypeOf(typeChecks).toBeFunction();
    type ServersCall = ReturnType<typeof greenLake>["gl"]["computeOpsMgmt"]["GET"];
    expectTypeOf<Parameters<ServersCall>[0]>().toExtend<string>();
    expectTypeOf<CallOptions["region"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<CallOptions["timeoutMs"]>().toEqualTypeOf<number | undefined>();
    const { gl } = greenLake();
    const call = () => gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { region: "eu-central" });
    type Data = NonNullable<Awaited<ReturnType<typeof call>>["data"]>;
    expectTypeOf<Data>().not.toBeAny();
    expectTypeOf<Data>().toHaveProperty("items");
  });

  it("reach the request: region picks the host, tenantAcid sets the header", async () => {
    const { gl, requests } = greenLake();
    await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { region: "eu-central", tenantAcid: "acid-7", timeoutMs: 5_000, params: { query: { limit: 1 } } });
    expect(requests[0]!.url).toBe("https://eu-central.api.greenlake.hpe.com/compute-ops-mgmt/v1/servers?limit=1");
    expect(requests[0]!.headers.get("tenant-acid")).toBe("acid-7");
  });
});

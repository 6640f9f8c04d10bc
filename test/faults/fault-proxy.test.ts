import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type Fault, type FaultProxy } from "./fault-proxy.js";
import { outageFor, seededFaultPlan } from "./fault-plan.js";
import { SERVERS_PATH, serverId, startStubServer, type StubServer } from "./stub-server.js";

const credentials = { clientId: "proxy-test-client", clientSecret: "proxy-test-secret", workspaceId: "0f0e0d0c0b0a09080706050403020100" };

describe("fault proxy", () => {
  let stub: StubServer;
  let token: string;
  let next: Fault | undefined;
  let proxy: FaultProxy;

  beforeAll(async () => {
    stub = await startStubServer({ itemCount: 250, maxPageSize: 100, credentials });
    const issued = await fetch(stub.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret }),
    });
    token = ((await issued.json()) as { access_token: string }).access_token;
    proxy = await startFaultProxy({ target: stub.url, choose: () => next });
  });
  afterAll(async () => {
    await proxy?.stop();
    await stub?.stop();
  });

  const get = (query = "?offset=0&limit=2") =>
    fetch(`${proxy.url}${SERVERS_PATH}${query}`, { headers: { authorization: `Bearer ${token}` } });
  const create = (marker: string) =>
    fetch(`${proxy.url}${SERVERS_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ appliance: { applianceId: marker } }),
    });

  it("forwards untouched when no fault is chosen, keeping the query's encoding", async () => {
    next = undefined;
    const response = await get("?offset=100&limit=2&filter=id%20eq%20%27a%2Bb%27");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      items: [
        { id: serverId(100), type: "compute-ops-mgmt/server", name: "server-100" },
        { id: serverId(101), type: "compute-ops-mgmt/server", name: "server-101" },
      ],
      offset: 100,
      count: 2,
      total: 250,
    });
    expect(proxy.exchanges.at(-1)?.url).toContain("a%2Bb");
  });

  it("answers a made-up status with Retry-After without reaching the server", async () => {
    next = { kind: "status", status: 429, retryAfterSeconds: 2 };
    const response = await create("status-429");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(stub.createsReceived.get("status-429")).toBeUndefined();
  });

  it("drops the connection before the server sees the request", async () => {
    next = { kind: "reset-before-send" };
    await expect(create("reset-before")).rejects.toThrow();
    expect(stub.createsReceived.get("reset-before")).toBeUndefined();
  });

  it("drops the connection after the server handled the request", async () => {
    next = { kind: "reset-after-send" };
    await expect(create("reset-after")).rejects.toThrow();
    expect(stub.createsReceived.get("reset-after")).toBe(1);
  });

  it("holds a response back past a client's timeout", async () => {
    next = { kind: "slow", delayMs: 2_000 };
    await expect(fetch(`${proxy.url}${SERVERS_PATH}?offset=0&limit=1`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(100),
    })).rejects.toThrow(/abort|timeout/i);
  });

  it("cuts a body off half way", async () => {
    next = { kind: "truncated-body" };
    const response = await get();
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it("replaces a body with text that is not JSON", async () => {
    next = { kind: "malformed-json" };
    const response = await get();
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it("refuses to forward beyond loopback", async () => {
    await expect(startFaultProxy({ target: "http://example.com", choose: () => undefined })).rejects.toThrow(/loopback/);
  });
});

describe("seeded fault plan", () => {
  const faults: Fault[] = [{ kind: "status", status: 503 }, { kind: "reset-before-send" }, { kind: "slow", delayMs: 1 }];
  const requests = Array.from({ length: 400 }, (_, i) => ({ method: "GET", url: `/items?offset=${(i % 40) * 10}`, body: "" }));
  const run = (seed: number) => {
    const plan = seededFaultPlan({ seed, rate: 0.5, faults, maxConsecutive: 2, budget: 120 });
    return { kinds: requests.map((r) => plan.choose(r)?.kind ?? "-"), injected: plan.injected() };
  };

  it("breaks the same requests for the same seed and different ones for another", () => {
    expect(run(7).kinds).toEqual(run(7).kinds);
    expect(run(7).kinds).not.toEqual(run(8).kinds);
  });

  it("stays within its budget and mixes the kinds it was given", () => {
    const { kinds, injected } = run(7);
    const total = kinds.filter((k) => k !== "-").length;
    expect(total).toBeLessThanOrEqual(120);
    expect(Object.values(injected).reduce((a, b) => a + b, 0)).toBe(total);
    expect(Object.keys(injected).sort()).toEqual(["reset-before-send", "slow", "status"]);
  });

  it("injects no more of a kind than its cap, and still the others, on the same draws", () => {
    const capped = seededFaultPlan({ seed: 7, rate: 0.5, faults, maxConsecutive: 2, budget: 120, maxPerKind: { slow: 2 } });
    const kinds = requests.map((r) => capped.choose(r)?.kind ?? "-");
    expect(capped.injected().slow).toBe(2);
    expect(Object.keys(capped.injected()).sort()).toEqual(["reset-before-send", "slow", "status"]);
    // The first slow faults fall where the uncapped plan puts them.
    const uncapped = run(7).kinds;
    expect(kinds.indexOf("slow")).toBe(uncapped.indexOf("slow"));
  });

  it("lets a request through after the allowed faults in a row", () => {
    const plan = seededFaultPlan({ seed: 1, rate: 1, faults, maxConsecutive: 2, budget: 100 });
    const same = { method: "GET", url: "/same", body: "" };
    expect([plan.choose(same), plan.choose(same), plan.choose(same)].map((f) => f !== undefined)).toEqual([true, true, false]);
  });

  it("models an outage that ends", async () => {
    const plan = outageFor(50, { kind: "status", status: 503 });
    const request = { method: "POST", url: "/token", body: "" };
    expect(plan.choose(request)?.kind).toBe("status");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(plan.choose(request)).toBeUndefined();
  });
});

/**
 * The SDK against a service that misbehaves: a stub service behind a seeded
 * fault-injecting proxy, and its token issuer behind another.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLake, GreenLakeError, paginate, type GreenLakeOptions } from "../../src/index.js";
import { startFaultProxy, type Fault, type FaultProxy, type ProxiedRequest } from "./fault-proxy.js";
import { seededFaultPlan } from "./fault-plan.js";
import { SERVERS_PATH, serverId, startStubServer, type StubServer } from "./stub-server.js";
import { collectOutput, type CollectedOutput } from "./output.js";

const SEED = 20_261_123;
const ITEMS = 10_000;
const credentials = {
  clientId: "fault-suite-client",
  clientSecret: "fault-suite-secret-5f1d0c9e7b",
  workspaceId: "7a3c5e0f9b8d4c2a1e6f0b9d8c7a6e5f",
};

// `slow` faults outlast the per-attempt timeout, which a healthy loopback answer (milliseconds) beats even on a
// machine a hundred times slower: an answer that missed it would be one failed attempt more than the plan counts.
const TIMEOUT_MS = 1_500;
const SLOW: Fault = { kind: "slow", delayMs: 4_000 };
// Each slow fault costs a whole timeout: two of them show the per-attempt timeout and its retry as well as twelve.
const FEW_SLOW = { slow: 2 } as const;
const fastRetries = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 20 } as const;

describe("SDK under injected faults", () => {
  let stub: StubServer;
  const proxies: FaultProxy[] = [];
  let output: CollectedOutput;

  beforeAll(async () => {
    output = collectOutput();
    stub = await startStubServer({ itemCount: ITEMS, maxPageSize: 100, credentials });
  });
  afterAll(async () => {
    output?.restore();
    await Promise.all(proxies.map((p) => p.stop()));
    await stub?.stop();
  });

  /** A client whose API calls and token requests each go through their own fault proxy. */
  async function clientBehind(
    api: (request: ProxiedRequest) => Fault | undefined,
    issuer: () => Fault | undefined = () => undefined,
    extra: GreenLakeOptions = {},
  ) {
    const apiProxy = await startFaultProxy({ target: stub.url, choose: api });
    const issuerProxy = await startFaultProxy({ target: stub.url, choose: issuer });
    proxies.push(apiProxy, issuerProxy);
    const gl = new GreenLake({
      ...credentials,
      tokenUrl: `${issuerProxy.url}${new URL(stub.tokenUrl).pathname}`,
      baseUrl: apiProxy.url,
      timeoutMs: TIMEOUT_MS,
      retry: fastRetries,
      logger: output.logger,
      logLevel: "debug",
      ...extra,
    });
    return { gl, apiProxy, issuerProxy };
  }

  /** Records a surfaced failure and checks it is one of ours, saying what failed. */
  function expectTyped(error: unknown, method: string, path: string): GreenLakeError {
    output.record(error);
    expect(error).toBeInstanceOf(GreenLakeError);
    const typed = error as GreenLakeError;
    expect(typed.constructor).not.toBe(GreenLakeError);
    expect(typed.message).toContain(method);
    expect(typed.message).toContain(path);
    return typed;
  }

  it("pages through 10 000 items exactly once, in order, despite 429, 503, resets, slow pages and a server serving fewer than asked", async () => {
    const plan = seededFaultPlan({
      seed: SEED,
      rate: 0.3,
      faults: [
        { kind: "status", status: 429, retryAfterSeconds: 1 },
        { kind: "status", status: 503 },
        { kind: "reset-before-send" },
        { kind: "reset-after-send" },
        SLOW,
      ],
      maxConsecutive: fastRetries.maxAttempts - 1,
      budget: 40,
      maxPerKind: FEW_SLOW,
    });
    const { gl, apiProxy } = await clientBehind(plan.choose);

    const ids: string[] = [];
    // The stub serves at most 100 items a page: asking for 250 checks that concurrent pages follow what the server serves.
    for await (const server of paginate(gl.computeOpsMgmt, "/compute-ops-mgmt/v1/servers", undefined, { concurrency: 4, pageSize: 250 })) {
      ids.push((server as { id: string }).id);
    }

    expect(ids.length).toBe(ITEMS);
    expect(new Set(ids).size).toBe(ITEMS);
    expect(ids).toEqual(Array.from({ length: ITEMS }, (_, i) => serverId(i)));
    // Every fault kind was exercised, and the pages were requested more often than 100 because of them.
    expect(Object.keys(plan.injected()).sort()).toEqual(["reset-after-send", "reset-before-send", "slow", "status"]);
    expect(apiProxy.exchanges.filter((e) => e.method === "GET").length).toBeGreaterThan(ITEMS / 100);
  });

  it("never replays a POST whose outcome is unknown, and retries one the server refused", async () => {
    const plan = seededFaultPlan({
      seed: SEED + 1,
      rate: 0.6,
      faults: [
        { kind: "reset-after-send" },
        SLOW,
        { kind: "status", status: 429, retryAfterSeconds: 1 },
        { kind: "status", status: 503 },
        { kind: "reset-before-send" },
      ],
      maxConsecutive: 2,
      budget: 100,
      maxPerKind: FEW_SLOW,
      applies: (r) => r.method === "POST",
    });
    const { gl, apiProxy } = await clientBehind(plan.choose, undefined, { throwOnError: true });

    const markers = Array.from({ length: 30 }, (_, i) => `create-${i}`);
    const outcomes = new Map<string, "created" | GreenLakeError>();
    for (const marker of markers) {
      try {
        await gl.computeOpsMgmt.POST("/compute-ops-mgmt/v1/servers", {
          body: { appliance: { applianceId: marker } },
        });
        outcomes.set(marker, "created");
      } catch (error) {
        outcomes.set(marker, expectTyped(error, "POST", SERVERS_PATH));
      }
    }

    const ambiguous = new Set(["reset-after-send", "slow", "reset-before-send"]);
    const forwarded = new Set(["none", "reset-after-send", "slow"]);
    const seen = new Set<string>();
    for (const marker of markers) {
      const attempts = apiProxy.exchanges.filter((e) => e.body.includes(`"${marker}"`)).map((e) => e.fault as string);
      attempts.forEach((kind) => seen.add(kind));
      const received = stub.createsReceived.get(marker) ?? 0;
      expect(received, `${marker} reached the server ${received} times`).toBeLessThanOrEqual(1);
      expect(received).toBe(attempts.filter((kind) => forwarded.has(kind)).length);
      const firstAmbiguous = attempts.findIndex((kind) => ambiguous.has(kind));
      if (firstAmbiguous === -1) {
        // Only refusals (429, 503) before success: those are retried until the create goes through.
        expect(attempts.at(-1)).toBe("none");
        expect(outcomes.get(marker)).toBe("created");
      } else {
        // The client cannot know whether the server acted, so it must report rather than repeat.
        expect(attempts.length, `${marker} attempts: ${attempts.join(", ")}`).toBe(firstAmbiguous + 1);
        expect(outcomes.get(marker)).toBeInstanceOf(GreenLakeError);
      }
    }
    expect([...seen].sort()).toEqual(["none", "reset-after-send", "reset-before-send", "slow", "status"]);
  }, 300_000);

  const path = "/compute-ops-mgmt/v1/servers";

  for (const kind of ["truncated-body", "malformed-json"] as const) {
    it(`reports a ${kind === "truncated-body" ? "cut-off" : "malformed"} response body as a typed error`, async () => {
      let next: Fault | undefined = { kind };
      const { gl } = await clientBehind(() => {
        const fault = next;
        next = undefined;
        return fault;
      }, undefined, { throwOnError: true });
      const outcome = await gl.computeOpsMgmt.GET(path, { params: { query: { limit: 5 } } }).then(
        (result) => result,
        (error: unknown) => error,
      );
      if (outcome instanceof Error) {
        expectTyped(outcome, "GET", path);
      } else {
        // A client may also recover by retrying; then the data must be right.
        expect((outcome as { data?: { items?: { id: string }[] } }).data?.items?.map((s) => s.id)).toEqual(
          Array.from({ length: 5 }, (_, i) => serverId(i)),
        );
      }
    });
  }

  it("stops a listing at a malformed page with a typed error instead of skipping items", async () => {
    let pages = 0;
    const { gl } = await clientBehind((request) => {
      if (request.method !== "GET") return undefined;
      pages += 1;
      return pages === 3 ? { kind: "malformed-json" } : undefined;
    });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const server of paginate(gl.computeOpsMgmt, path, { params: { query: { limit: 50 } } }, { maxItems: 400 })) {
        seen.push((server as { id: string }).id);
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    if (failure !== undefined) expectTyped(failure, "GET", path);
    // Whatever was yielded is a gap-free prefix of the listing.
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => serverId(i)));
    expect(failure !== undefined || seen.length === 400).toBe(true);
  });

  it("fails with a typed error while the token issuer is down, and recovers once it is back", async () => {
    let issuerDown: Fault | undefined = { kind: "reset-before-send" };
    const { gl, issuerProxy } = await clientBehind(() => undefined, () => issuerDown);
    const list = () => gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { params: { query: { limit: 2 } } });

    for (const outage of [{ kind: "reset-before-send" }, { kind: "status", status: 503 }] as const) {
      issuerDown = outage;
      const error = await list().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `no failure while the issuer answered with ${outage.kind}`).toBeDefined();
      output.record(error);
      expect(error).toBeInstanceOf(GreenLakeError);
      expect((error as Error).constructor).not.toBe(GreenLakeError);
      // Names the step that failed and where, so the reader looks at the issuer, not the API.
      expect((error as Error).message).toMatch(/token/i);
      expect((error as Error).message).toContain(new URL(issuerProxy.url).host);
    }
    expect(issuerProxy.exchanges.length).toBeGreaterThanOrEqual(2);

    issuerDown = undefined;
    const { data, response } = await list();
    expect(response.status).toBe(200);
    expect(data?.items?.map((s) => s.id)).toEqual([serverId(0), serverId(1)]);
  });

  it("rides out a short issuer outage without the caller noticing", async () => {
    // The issuer drops the first token request and refuses the second, then recovers.
    const outage: Fault[] = [{ kind: "reset-before-send" }, { kind: "status", status: 503 }];
    const { gl, issuerProxy } = await clientBehind(() => undefined, () => outage.shift());
    const { data, response } = await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers", { params: { query: { limit: 3 } } });
    expect(response.status).toBe(200);
    expect(data?.items?.map((s) => s.id)).toEqual([serverId(0), serverId(1), serverId(2)]);
    expect(issuerProxy.exchanges.map((e) => e.fault)).toEqual(["reset-before-send", "status", "none"]);
  });

  it("writes no secret and no token to logs or error messages", () => {
    const texts = output.texts();
    // The suite produced output to check: debug logs of retries and the errors it surfaced.
    expect(texts.length).toBeGreaterThan(20);
    const secrets = [credentials.clientSecret, ...stub.issuedTokens];
    expect(stub.issuedTokens.length).toBeGreaterThan(0);
    const leaks = texts.filter((text) => secrets.some((secret) => text.includes(secret)));
    expect(leaks.length, "lines containing a secret or token").toBe(0);
  });
});

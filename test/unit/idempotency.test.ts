import fc from "fast-check";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceMetadata } from "../../src/metadata.js";
import { createServiceClient } from "../../src/service-client.js";

/** Compute Ops Management's filters operation as the generator flags it, and a POST without the header. */
const service: ServiceMetadata = {
  service: "compute-ops-mgmt",
  documents: ["compute-ops-mgmt"],
  servers: { "us-west": "https://us-west.api.greenlake.hpe.com" },
  operations: [
    { method: "post", path: "/compute-ops-mgmt/v1beta1/filters", operationId: "createFilter", deprecated: false, document: "compute-ops-mgmt", idempotencyKey: true },
    { method: "post", path: "/compute-ops-mgmt/v1/jobs", operationId: "createJob", deprecated: false, document: "compute-ops-mgmt" },
  ],
};

interface Paths {
  "/compute-ops-mgmt/v1beta1/filters": { post: { requestBody: { content: { "application/json": { name: string } } }; responses: { 200: { content: { "application/json": { id: string } } } } } };
  "/compute-ops-mgmt/v1/jobs": { post: { requestBody: { content: { "application/json": { name: string } } }; responses: { 200: { content: { "application/json": { id: string } } } } } };
}

type Failure = "reset" | 408 | 500 | 502 | 503 | 504;

/** A server that applies each Idempotency-Key once (answering replays from memory), after failing as scripted. */
let server: Server;
let baseUrl: string;
let script: Failure[] = [];
const attempts: { path: string; key: string | undefined; body: string }[] = [];
const applied = new Map<string, { id: string }>();
let appliedCount = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const key = req.headers["idempotency-key"] as string | undefined;
      attempts.push({ path: req.url ?? "", key, body });
      // The first delivery is applied before the failure: the client cannot tell whether it was.
      let result = key === undefined ? undefined : applied.get(key);
      if (result === undefined) {
        appliedCount++;
        result = { id: `filter-${appliedCount}` };
        if (key !== undefined) applied.set(key, result);
      }
      const failure = script.shift();
      if (failure === "reset") {
        req.socket.destroy();
        return;
      }
      if (failure !== undefined) {
        res.writeHead(failure, { "content-type": "application/json" }).end("{}");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function reset(): void {
  script = [];
  attempts.length = 0;
  applied.clear();
  appliedCount = 0;
}

function client() {
  return createServiceClient<Paths>(service, { token: "t", baseUrl, env: {}, retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 } });
}

describe("Idempotency-Key", () => {
  it("replays a POST after a reset with the same key, and the server applies it once", async () => {
    reset();
    script = ["reset"];
    const { data, error } = await client().POST("/compute-ops-mgmt/v1beta1/filters", { body: { name: "web" } });
    expect(error).toBeUndefined();
    expect(data).toEqual({ id: "filter-1" });
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(attempts[1]!.key).toBe(attempts[0]!.key);
    expect(attempts[1]!.body).toBe(attempts[0]!.body);
    expect(appliedCount).toBe(1);
  });

  it("gives each logical call its own key and keeps a key the caller chose", async () => {
    reset();
    const c = client();
    await c.POST("/compute-ops-mgmt/v1beta1/filters", { body: { name: "a" } });
    await c.POST("/compute-ops-mgmt/v1beta1/filters", { body: { name: "b" } });
    await c.POST("/compute-ops-mgmt/v1beta1/filters", { body: { name: "c" }, headers: { "Idempotency-Key": "mine" } });
    expect(new Set(attempts.map((a) => a.key)).size).toBe(3);
    expect(attempts[2]!.key).toBe("mine");
  });

  it("still never replays a POST that declares no key after an ambiguous failure", async () => {
    reset();
    script = ["reset"];
    await expect(client().POST("/compute-ops-mgmt/v1/jobs", { body: { name: "x" } })).rejects.toThrow(/could not reach /);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.key).toBeUndefined();
  });

  it("whatever fails before success, every attempt carries one key and the server applies the call once (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Failure>("reset", 408, 500, 502, 503, 504), { maxLength: 3 }), async (failures) => {
        reset();
        script = [...failures];
        const { data } = await client().POST("/compute-ops-mgmt/v1beta1/filters", { body: { name: "web" } });
        expect(data).toEqual({ id: "filter-1" });
        expect(attempts).toHaveLength(failures.length + 1);
        expect(new Set(attempts.map((a) => a.key)).size).toBe(1);
        expect(attempts[0]!.key).toBeDefined();
        expect(appliedCount).toBe(1);
      }),
      { numRuns: 40 },
    );
  });
});

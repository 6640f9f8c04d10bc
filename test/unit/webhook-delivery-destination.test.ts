/**
 * The mocks send only to loopback destinations unless allowed: a webhook
 * whose destination is changed (PATCH) to another address receives nothing
 * there, even when it was verified and active before. 0.0.0.0 reaches this
 * machine's own listeners on Linux, so the refusal is observable without
 * any network.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DocumentSchemas } from "../../src/testing/schemas.js";
import { eventSchemas, mocksOfEvents } from "./support/events-mocks.js";

const TYPE = "com.example.mocks.v1.things.created";
let schemas: Map<string, DocumentSchemas>;
let server: Server;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  schemas = await eventSchemas();
  server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));


describe("the mocks' webhook destinations", () => {
  it("a verified webhook re-pointed at a non-loopback address gets no delivery there", async () => {
    const { delivery, call } = mocksOfEvents(schemas, [1_000]);
    received.length = 0;
    const created = await call("post", "/events/v1beta1/webhooks", "/events/v1beta1/webhooks", {
      name: "w",
      destination: `http://127.0.0.1:${port}/loopback`,
      secret: "primary-secret",
      challengeRequestEnabled: false,
    });
    const id = (created.body as { id: string }).id;
    await call("post", "/events/v1beta1/subscriptions", "/events/v1beta1/subscriptions", [{ eventType: TYPE, webhook: { resourceUri: `/events/v1beta1/webhooks/${id}` } }]);
    delivery.emit({ type: TYPE, data: { n: 1 } });
    await delivery.advance(10_000);
    expect(received).toEqual(["POST /loopback"]);

    await call("patch", "/events/v1beta1/webhooks/{id}", `/events/v1beta1/webhooks/${id}`, { destination: `http://0.0.0.0:${port}/elsewhere` });
    delivery.emit({ type: TYPE, data: { n: 2 } });
    await delivery.advance(10_000);
    expect(received.filter((r) => r.includes("/elsewhere"))).toEqual([]);
  });
});

describe("the mocks' webhook destinations, any spelling", () => {
  it("property: re-pointed at any spelling of this machine that is not a loopback address, a webhook gets nothing there", async () => {
    // Each reaches this machine's listener on Linux, none is 127.0.0.0/8, ::1 or localhost.
    const host = fc.constantFrom("0.0.0.0", "0", "0x0", "[::]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]");
    await fc.assert(
      fc.asyncProperty(host, fc.constantFrom("http", "https"), fc.boolean(), async (h, scheme, withCredentials) => {
        const { delivery, call } = mocksOfEvents(schemas, [1_000]);
        received.length = 0;
        const created = await call("post", "/events/v1beta1/webhooks", "/events/v1beta1/webhooks", { name: "w", destination: `http://127.0.0.1:${port}/loopback`, secret: "primary-secret", challengeRequestEnabled: false });
        const id = (created.body as { id: string }).id;
        await call("post", "/events/v1beta1/subscriptions", "/events/v1beta1/subscriptions", [{ eventType: TYPE, webhook: { resourceUri: `/events/v1beta1/webhooks/${id}` } }]);
        await call("patch", "/events/v1beta1/webhooks/{id}", `/events/v1beta1/webhooks/${id}`, { destination: `${scheme}://${withCredentials ? "u:p@" : ""}${h}:${port}/elsewhere` });
        delivery.emit({ type: TYPE, data: { n: 1 } });
        await delivery.advance(10_000);
        expect(received.filter((r) => r.includes("/elsewhere"))).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});

describe("the mocks' webhook routes and malformed percent escapes", () => {
  // Escapes that decodeURIComponent refuses: a lone %, a truncated or invalid UTF-8 sequence.
  const broken = fc.tuple(fc.string({ unit: fc.constantFrom("a", "1", "-") }), fc.constantFrom("%", "%z", "%E0%A4%A", "%C0", "%FF", "%u00")).map(([a, b]) => `${a}${b}`);

  it("property: a webhook id or resourceUri with a malformed escape is answered (not 5xx), never thrown", async () => {
    const { call } = mocksOfEvents(schemas, [1_000]);
    await fc.assert(
      fc.asyncProperty(broken, async (id) => {
        const patched = await call("patch", "/events/v1beta1/webhooks/{id}", `/events/v1beta1/webhooks/${id}`, { name: "x" });
        expect(patched.status).toBeGreaterThanOrEqual(400);
        expect(patched.status).toBeLessThan(500);
        const subscribed = await call("post", "/events/v1beta1/subscriptions", "/events/v1beta1/subscriptions", [{ eventType: TYPE, webhook: { resourceUri: `/events/v1beta1/webhooks/${id}` } }]);
        // A subscription may name a webhook the mocks do not hold; what matters is an answer, not a throw.
        expect(subscribed.status).toBeLessThan(500);
      }),
      { numRuns: 50 },
    );
  });
});

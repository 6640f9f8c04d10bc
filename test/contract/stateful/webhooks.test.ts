/**
 * Webhooks end to end on the stateful mocks, through the SDK: register a
 * webhook, the challenge is answered by the SDK's handler, a device added and
 * its async operation finished reaches the handler once, signed; a secret
 * rotated with `secondarySecret` loses no delivery; a handler answering 503
 * is retried, 410 disables the webhook; failures are listed and retried
 * through the event API. Time is a manual clock: nothing waits real seconds
 * and no verdict depends on speed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GreenLake, unwrap, waitForAsyncOperation } from "../../../src/index.js";
import { manualClock, type ManualClock, type Mocks } from "../../../src/testing/index.js";
import { startSharedMocks } from "../support/shared-prism.js";
import { createWebhookHandler, isEventType, memorySeenStore, type GreenLakeEvent, type WebhookHandler } from "../../../src/webhooks/index.js";

const DEVICE_CREATED = "com.hpe.greenlake.devices.v1.devices.created";
const USER_CREATED = "com.hpe.greenlake.identity.v1.users.created";
const INJECTED = "com.example.mocks.v1.things.created";

let mocks: Mocks;
let gl: GreenLake;
let clock: ManualClock;
let server: Server;
let receiverUrl: string;
/** What the receiver does with each request: the SDK's handler, or a fixed status. */
let behaviour: { handler: WebhookHandler; answer: number | undefined };
let received: GreenLakeEvent[];
let seen = memorySeenStore();

const handlerFor = (secrets: string | string[]) => createWebhookHandler({ secrets, allowedRate: 600, seen, onEvent: (event) => void received.push(event) });

beforeAll(async () => {
  clock = manualClock();
  mocks = await startSharedMocks({
    services: ["event", "device-management", "identity"],
    async: { durationMs: 500 },
    webhooks: { clock, retryDelaysMs: [1_000, 2_000], batch: { maxEvents: 3, windowMs: 1_000 } },
  });
  gl = new GreenLake(mocks.clientOptions({ throwOnError: true, retry: false }));
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (behaviour.answer !== undefined && req.method === "POST") {
      req.resume();
      res.writeHead(behaviour.answer).end();
      return;
    }
    void behaviour.handler.node(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/greenlake`;
});
beforeEach(() => {
  mocks.reset();
  received = [];
  seen = memorySeenStore();
  behaviour = { handler: handlerFor("first-secret"), answer: undefined };
});
afterAll(async () => {
  await mocks?.stop();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

const events = () => gl.service("event");
const eventDeliveries = () => mocks.events.deliveries.filter((d) => d.kind === "event");

async function register(body: Record<string, unknown>): Promise<string> {
  const created = await unwrap(events().POST("/events/v1beta1/webhooks", { body: { name: "receiver", destination: receiverUrl, secret: "first-secret", ...body } as never }));
  return (created as { id: string }).id;
}

async function webhook(id: string): Promise<{ status: string; stateReason?: string; endpointRateLimit?: number | null; dualSecret?: boolean }> {
  return (await unwrap(events().GET("/events/v1beta1/webhooks/{id}", { params: { path: { id } } }))) as never;
}

async function subscribe(id: string, ...eventTypes: string[]): Promise<void> {
  await unwrap(events().POST("/events/v1beta1/subscriptions", { body: eventTypes.map((eventType) => ({ eventType, webhook: { resourceUri: `/events/v1beta1/webhooks/${id}` } })) as never }));
}

async function activeWebhook(body: Record<string, unknown> = {}, ...eventTypes: string[]): Promise<string> {
  const id = await register(body);
  await mocks.events.advance(0);
  expect((await webhook(id)).status).toBe("ACTIVE");
  await subscribe(id, ...eventTypes);
  return id;
}

describe("webhooks on the stateful mocks", () => {
  it("register -> challenge answered -> device added, its async operation finished -> the signed created event arrives once", async () => {
    const id = await register({});
    expect((await webhook(id)).status).toBe("PENDING");
    await mocks.events.advance(0);
    expect(mocks.events.deliveries.map((d) => [d.kind, d.status])).toEqual([
      ["rate", 200],
      ["challenge", 200],
    ]);
    const active = await webhook(id);
    expect(active.status).toBe("ACTIVE");
    expect(active.endpointRateLimit).toBe(600);
    await subscribe(id, DEVICE_CREATED, USER_CREATED);

    const posted = await gl.service("device-management").POST("/devices/v1/devices", { body: { network: [{ serialNumber: "SN-WEBHOOK-1", macAddress: "00:11:22:33:44:55" }], compute: [], storage: [] } });
    expect(posted?.response.status).toBe(202);
    await mocks.events.advance(499);
    expect(received).toEqual([]);
    await mocks.events.advance(1);
    const operation = await waitForAsyncOperation(gl.service("device-management"), posted!.response.headers.get("location")!, { pollIntervalMs: 1, timeoutMs: 10_000 });
    expect(operation.status).toBe("SUCCEEDED");
    const device = mocks.state.collection("/devices/v1/devices").find((d) => d.serialNumber === "SN-WEBHOOK-1");
    expect(device).toBeDefined();
    await mocks.events.advance(60_000);
    expect(received.map((e) => e.type)).toEqual([DEVICE_CREATED]);
    const [event] = received;
    if (!isEventType(event!, DEVICE_CREATED)) expect.unreachable();
    else expect(event.data?.id).toBe(device!.id);

    // A create that answers at once (a user invitation) is delivered at once.
    await unwrap(gl.identity.POST("/identity/v1/users", { body: { email: "webhook.user@example.com" } as never }));
    await mocks.events.settled();
    await mocks.events.advance(0);
    expect(received.map((e) => e.type)).toEqual([DEVICE_CREATED, USER_CREATED]);
    expect(eventDeliveries().every((d) => d.status === 200)).toBe(true);
  });

  it("mocks.events.emit injects an event; batching webhooks get arrays", async () => {
    await activeWebhook({ batching: true }, INJECTED);
    const sent = [1, 2, 3, 4].map((n) => mocks.events.emit({ type: INJECTED, data: { n } }));
    await mocks.events.advance(0);
    expect(eventDeliveries().map((d) => d.eventIds.length)).toEqual([3]);
    await mocks.events.advance(1_000);
    expect(eventDeliveries().map((d) => d.eventIds.length)).toEqual([3, 1]);
    expect(received.map((e) => e.id)).toEqual(sent.map((e) => e.id));
  });

  it("rotating the secret with secondarySecret rejects no delivery", async () => {
    const id = await activeWebhook({}, INJECTED);
    const emitted: string[] = [];
    const emit = async () => {
      emitted.push(mocks.events.emit({ type: INJECTED, data: { step: emitted.length } }).id);
      await mocks.events.advance(0);
    };
    await emit();
    // 1. GreenLake signs with both; the receiver still knows only the first.
    await unwrap(events().PATCH("/events/v1beta1/webhooks/{id}", { params: { path: { id } }, body: { secondarySecret: "second-secret" } as never }));
    expect((await webhook(id)).dualSecret).toBe(true);
    await emit();
    // 2. The receiver accepts either.
    behaviour.handler = handlerFor(["second-secret", "first-secret"]);
    await emit();
    // 3. GreenLake's primary becomes the second secret (re-verified), the old one dropped.
    await unwrap(events().PATCH("/events/v1beta1/webhooks/{id}", { params: { path: { id } }, body: { secret: "second-secret", secondarySecret: "" } as never }));
    await emit();
    expect((await webhook(id)).status).toBe("ACTIVE");
    // 4. The receiver forgets the first secret.
    behaviour.handler = handlerFor("second-secret");
    await emit();
    expect(mocks.events.deliveries.filter((d) => d.kind !== "rate").map((d) => d.status)).toEqual(Array(mocks.events.deliveries.filter((d) => d.kind !== "rate").length).fill(200));
    expect(received.map((e) => e.id)).toEqual(emitted);
  });

  it("a handler answering 503 is retried; the retry is delivered", async () => {
    const id = await activeWebhook({}, INJECTED);
    behaviour.answer = 503;
    const event = mocks.events.emit({ type: INJECTED });
    await mocks.events.advance(0);
    expect((await webhook(id)).status).toBe("WARNING");
    behaviour.answer = undefined;
    await mocks.events.advance(1_000);
    expect(eventDeliveries().map((d) => [d.attempt, d.status])).toEqual([
      [1, 503],
      [2, 200],
    ]);
    expect(received.map((e) => e.id)).toEqual([event.id]);
    expect((await webhook(id)).status).toBe("ACTIVE");
  });

  it("failures are listed after the last retry and can be retried through the event API", async () => {
    const id = await activeWebhook({}, INJECTED);
    behaviour.answer = 503;
    const event = mocks.events.emit({ type: INJECTED });
    await mocks.events.advance(10_000);
    expect(eventDeliveries().map((d) => d.status)).toEqual([503, 503, 503]);
    const listed = (await unwrap(events().GET("/events/v1beta1/webhooks/{id}/recent-deliveries", { params: { path: { id } } }))) as { items: Array<{ id: string; status: string; retryStatus: string; failureId: string; httpResponseCode: number }> };
    expect(listed.items).toMatchObject([{ id: event.id, status: "FAILURE", retryStatus: "RETRY", httpResponseCode: 503 }]);
    behaviour.answer = undefined;
    const retried = (await unwrap(events().POST("/events/v1beta1/webhooks/{id}/delivery-failures/{failureId}/retry", { params: { path: { id, failureId: listed.items[0]!.failureId } } }))) as { httpResponseCode: number };
    expect(retried.httpResponseCode).toBe(200);
    expect(received.map((e) => e.id)).toEqual([event.id]);
  });

  it("a handler answering 410 disables the webhook, and nothing more is sent", async () => {
    const id = await activeWebhook({}, INJECTED);
    behaviour.answer = 410;
    mocks.events.emit({ type: INJECTED });
    await mocks.events.advance(0);
    const disabled = await webhook(id);
    expect(disabled.status).toBe("DISABLED");
    expect(disabled.stateReason).toMatch(/410/);
    mocks.events.emit({ type: INJECTED });
    await mocks.events.advance(60_000);
    expect(eventDeliveries()).toHaveLength(1);
  });

  it("a receiver with another secret refuses the challenge; the webhook is DISABLED after three attempts within 10 s", async () => {
    behaviour.handler = handlerFor("not-the-registered-secret");
    const id = await register({});
    await mocks.events.advance(10_000);
    const challenges = mocks.events.deliveries.filter((d) => d.kind === "challenge");
    expect(challenges.map((c) => c.status)).toEqual([401, 401, 401]);
    expect(challenges.at(-1)!.at - challenges[0]!.at).toBeLessThan(10_000);
    expect(await webhook(id)).toMatchObject({ status: "DISABLED" });
  });

  it("a 200 without the right HMAC fails the challenge too", async () => {
    behaviour.answer = 200;
    const id = await register({});
    await mocks.events.advance(10_000);
    const challenges = mocks.events.deliveries.filter((d) => d.kind === "challenge");
    expect(challenges).toHaveLength(3);
    expect(challenges.at(-1)!.at - challenges[0]!.at).toBeLessThan(10_000);
    expect(await webhook(id)).toMatchObject({ status: "DISABLED", stateReason: "HMAC validation failed. Please verify webhook secret." });
  });

  it("sends nothing to a destination outside loopback unless allowed", async () => {
    const id = await register({ destination: "https://example.com/greenlake" });
    await mocks.events.advance(10_000);
    expect(mocks.events.deliveries).toEqual([]);
    expect(await webhook(id)).toMatchObject({ status: "WARNING" });
    expect((await webhook(id)).stateReason).toMatch(/loopback/);
  });
});

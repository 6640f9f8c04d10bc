/**
 * The receiver's concrete cases: the Node listener and the WHATWG handler on
 * a loopback server, rate negotiation, Compute Ops Management's handshake and
 * header authentication, body limits, parsed bodies refused, retries asked by
 * onEvent, age limits, typed events, and no secret in any output. Also: the
 * entry imports nothing Node-only at run time.
 */
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  answerComHandshake,
  createWebhookHandler,
  GreenLakeWebhookError,
  isEventType,
  memorySeenStore,
  slowDown,
  verifyWebhook,
  type GreenLakeEvent,
  type WebhookHandler,
} from "../../src/webhooks/index.js";

const SECRET = "webhook-Secret-That-Must-Never-Leak";
const sign = (body: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const event = (id: string, extra: Record<string, unknown> = {}) => ({ specversion: "1.0", id, source: "//global.api.greenlake.hpe.com/devices", type: "com.hpe.greenlake.devices.v1.devices.created", time: "2026-01-01T00:00:00Z", data: { id: "d-1", serialNumber: "SN1" }, ...extra });

const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!();
});

async function serve(listener: WebhookHandler["node"]): Promise<string> {
  const server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("verifyWebhook", () => {
  it("refuses a parsed object and says to pass the raw body", async () => {
    const body = event("e-1");
    await expect(verifyWebhook({ body: body as never, headers: {}, secrets: SECRET })).rejects.toThrow(/raw body.*express\.raw/s);
  });

  it("names each reason, and no message holds the secret or the signature", async () => {
    const body = JSON.stringify(event("e-1", { time: "2020-01-01T00:00:00Z" }));
    const errors: GreenLakeWebhookError[] = [];
    const capture = async (p: Promise<unknown>) => p.catch((e: GreenLakeWebhookError) => void errors.push(e));
    await capture(verifyWebhook({ body, headers: {}, secrets: SECRET }));
    await capture(verifyWebhook({ body, headers: { "hpe-webhook-signature": sign(body, "other") }, secrets: SECRET }));
    await capture(verifyWebhook({ body: "not json", headers: { "hpe-webhook-signature": sign("not json") }, secrets: SECRET }));
    await capture(verifyWebhook({ body, headers: { "hpe-webhook-signature": sign(body) }, secrets: SECRET, maxAgeSeconds: 60, now: () => Date.parse("2020-01-01T00:02:00Z") }));
    const seen = memorySeenStore();
    await verifyWebhook({ body, headers: { "hpe-webhook-signature": sign(body) }, secrets: SECRET, seen });
    await capture(verifyWebhook({ body, headers: { "hpe-webhook-signature": sign(body) }, secrets: SECRET, seen }));
    expect(errors.map((e) => e.reason)).toEqual(["missing-signature", "bad-signature", "malformed-body", "too-old", "replayed"]);
    for (const e of errors) {
      const shown = `${e.message} ${e.stack} ${JSON.stringify(e)}`;
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain(sign(body).slice(7));
    }
  });

  it("returns a batch as an array and types known events", async () => {
    const body = JSON.stringify([event("e-1"), { ...event("e-2"), type: "com.example.unknown" }]);
    const events = await verifyWebhook({ body: Buffer.from(body), headers: new Headers({ "HPE-Webhook-Signature": sign(body) }), secrets: [SECRET] });
    expect(events.map((e) => e.id)).toEqual(["e-1", "e-2"]);
    const first = events[0]!;
    if (isEventType(first, "com.hpe.greenlake.devices.v1.devices.created")) expect(first.data?.serialNumber).toBe("SN1");
    else expect.unreachable("a devices.created event");
    expect(isEventType(events[1]!, "com.hpe.greenlake.devices.v1.devices.created")).toBe(false);
  });
});

describe("createWebhookHandler over Node's http", () => {
  it("delivers each event of a batch once, answers 200, and acknowledges a repeat without calling onEvent", async () => {
    const received: GreenLakeEvent[] = [];
    const url = await serve(createWebhookHandler({ secrets: SECRET, onEvent: (e) => void received.push(e) }).node);
    const body = JSON.stringify([event("e-1"), event("e-2")]);
    const first = await send(url, "POST", { "content-type": "application/json", "hpe-webhook-signature": sign(body) }, body);
    const again = await send(url, "POST", { "content-type": "application/json", "hpe-webhook-signature": sign(body) }, body);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(JSON.parse(again.body)).toMatchObject({ processed: 0, skipped: 2 });
    expect(received.map((e) => e.id)).toEqual(["e-1", "e-2"]);
  });

  it("answers the rate negotiation with WebHook-Allowed-Rate", async () => {
    const url = await serve(createWebhookHandler({ secrets: SECRET, allowedRate: 120, onEvent: () => {} }).node);
    const answer = await send(url, "OPTIONS", { "webhook-request-origin": "global.api.greenlake.hpe.com" });
    expect(answer.status).toBe(200);
    expect(answer.headers["webhook-allowed-rate"]).toBe("120");
    expect(answer.headers["webhook-allowed-origin"]).toBe("global.api.greenlake.hpe.com");
  });

  it("refuses bodies over the limit with 413 before reading them whole", async () => {
    const url = await serve(createWebhookHandler({ secrets: SECRET, maxBodyBytes: 64, onEvent: () => expect.unreachable() }).node);
    const body = JSON.stringify(event("e-big", { data: { pad: "x".repeat(200) } }));
    expect((await send(url, "POST", { "hpe-webhook-signature": sign(body) }, body)).status).toBe(413);
  });

  it("refuses a body a middleware already parsed, saying to give it the raw body", async () => {
    const handler = createWebhookHandler({ secrets: SECRET, onEvent: () => {} });
    let status = 0;
    let text = "";
    const req = Object.assign((async function* () {})(), { method: "POST", headers: {}, body: { parsed: true } });
    await handler.node(req, { writeHead: (s: number) => void (status = s), end: (b?: string) => void (text = b ?? "") });
    expect(status).toBe(500);
    expect(text).toMatch(/express\.raw/);
  });

  it("answers 429 when onEvent asks to slow down, 503 when it throws, and a retry is then processed", async () => {
    let calls = 0;
    const url = await serve(
      createWebhookHandler({
        secrets: SECRET,
        onError: () => {},
        onEvent: () => {
          calls++;
          if (calls === 1) return slowDown(30);
          if (calls === 2) throw new Error("database down");
        },
      }).node,
    );
    const body = JSON.stringify(event("e-1"));
    const headers = { "hpe-webhook-signature": sign(body) };
    const first = await send(url, "POST", headers, body);
    const second = await send(url, "POST", headers, body);
    const third = await send(url, "POST", headers, body);
    expect([first.status, second.status, third.status]).toEqual([429, 503, 200]);
    expect(first.headers["retry-after"]).toBe("30");
    expect(second.body).not.toContain("database down");
  });

  it("acknowledges events older than maxAgeSeconds without passing them on", async () => {
    const received: string[] = [];
    const handler = createWebhookHandler({ secrets: SECRET, maxAgeSeconds: 300, now: () => Date.parse("2026-01-01T00:10:00Z"), onEvent: (e) => void received.push(e.id) });
    const body = JSON.stringify([event("old"), event("new", { time: "2026-01-01T00:08:00Z" })]);
    const answer = await handler.handle({ method: "POST", headers: { "hpe-webhook-signature": sign(body) }, body });
    expect(answer.status).toBe(200);
    expect(received).toEqual(["new"]);
  });
});

describe("Compute Ops Management", () => {
  const com = { authHeader: "Authorization", authValue: "Basic c2VjcmV0LWNvbQ==" };

  it("answers the GET handshake with the challenge, only with the configured header", async () => {
    const url = await serve(createWebhookHandler({ secrets: SECRET, com, onEvent: () => {} }).node);
    const ok = await send(url, "GET", { "x-compute-ops-mgmt-verification-challenge": "abc123", authorization: com.authValue });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ verification: "abc123" });
    const wrong = await send(url, "GET", { "x-compute-ops-mgmt-verification-challenge": "abc123", authorization: "Basic other" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain(com.authValue);
    expect(answerComHandshake({ "x-compute-ops-mgmt-verification-challenge": "v" })).toEqual({ verification: "v" });
  });

  it("delivers an event with its type from x-compute-ops-mgmt-event-type", async () => {
    const received: GreenLakeEvent[] = [];
    const handler = createWebhookHandler({ secrets: SECRET, com, onEvent: (e, ctx) => void received.push({ ...e, origin: ctx.origin }) });
    const body = JSON.stringify({ id: "srv-1", name: "server 1" });
    const answer = await handler.handle({ method: "POST", headers: { authorization: com.authValue, "x-compute-ops-mgmt-event-type": "compute-ops/server" }, body });
    expect(answer.status).toBe(200);
    expect(received).toEqual([{ specversion: "1.0", id: "srv-1", source: "compute-ops-mgmt", type: "compute-ops/server", data: { id: "srv-1", name: "server 1" }, origin: "compute-ops-mgmt" }]);
  });
});

describe("the WHATWG handler", () => {
  it("verifies, answers and limits like the Node listener", async () => {
    const received: string[] = [];
    const handler = createWebhookHandler({ secrets: [SECRET, "second-secret"], maxBodyBytes: 4096, onEvent: (e) => void received.push(e.id) });
    const body = JSON.stringify(event("e-9"));
    const ok = await handler.fetch(new Request("http://receiver.test/webhook", { method: "POST", headers: { "hpe-webhook-signature2": sign(body, "second-secret") }, body }));
    expect(ok.status).toBe(200);
    const bad = await handler.fetch(new Request("http://receiver.test/webhook", { method: "POST", headers: { "hpe-webhook-signature": sign(body, "other") }, body }));
    expect(bad.status).toBe(401);
    const big = await handler.fetch(new Request("http://receiver.test/webhook", { method: "POST", body: "x".repeat(5000) }));
    expect(big.status).toBe(413);
    expect(received).toEqual(["e-9"]);
  });
});

describe("the entry", () => {
  it("imports nothing Node-only at run time (type imports are erased)", () => {
    const dir = join(import.meta.dirname, "../../src/webhooks");
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), "utf8");
      const runtimeImports = [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
      for (const spec of runtimeImports) expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[a-z-]+\.js$/);
    }
  });
});

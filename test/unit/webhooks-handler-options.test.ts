/**
 * createWebhookHandler checks its limits when it is made: a maxBodyBytes that is
 * not a positive whole number (NaN from an unset variable, a negative or
 * fractional number) would otherwise turn the body limit off or refuse every
 * delivery, and a maxAgeSeconds that is not a number of seconds would answer
 * 503 to every delivery instead of failing at start.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWebhookHandler, signatureHeader } from "../../src/webhooks/index.js";

const onEvent = () => {};
const notPositiveWhole = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -1, 0.5),
  fc.double({ noNaN: false }).filter((n) => !(Number.isSafeInteger(n) && n > 0)),
  fc.string().map((s) => s as unknown as number),
);
const notSeconds = fc.oneof(
  fc.constantFrom(Number.NaN, Number.NEGATIVE_INFINITY, -1),
  fc.double({ noNaN: false }).filter((n) => !(n >= 0 && Number.isFinite(n))),
  fc.string().map((s) => s as unknown as number),
);

describe("createWebhookHandler's limits", () => {
  it("property: a maxBodyBytes that is not a positive whole number is refused when the handler is made", () => {
    fc.assert(
      fc.property(notPositiveWhole, (maxBodyBytes) => {
        expect(() => createWebhookHandler({ secrets: "s3cret", onEvent, maxBodyBytes })).toThrow(TypeError);
      }),
      { numRuns: 200 },
    );
  });

  it("property: a maxAgeSeconds that is not 0 or more seconds is refused when the handler is made", () => {
    fc.assert(
      fc.property(notSeconds, (maxAgeSeconds) => {
        expect(() => createWebhookHandler({ secrets: "s3cret", onEvent, maxAgeSeconds })).toThrow(TypeError);
      }),
      { numRuns: 200 },
    );
  });

  it("Number(undefined) as maxBodyBytes does not let an oversized body through", async () => {
    let made: ReturnType<typeof createWebhookHandler> | undefined;
    try {
      made = createWebhookHandler({ secrets: "s3cret", onEvent, maxBodyBytes: Number(undefined) });
    } catch {
      made = undefined;
    }
    if (made === undefined) return;
    const body = JSON.stringify({ specversion: "1.0", id: "1", source: "s", type: "t", data: "x".repeat(2 << 20) });
    const answer = await made.fetch(new Request("http://127.0.0.1/hook", { method: "POST", body, headers: { "hpe-webhook-signature": await signatureHeader("s3cret", body) } }));
    expect(answer.status).toBe(413);
  });
});

describe("createWebhookHandler's handle() and maxBodyBytes", () => {
  it("property: handle() answers 413 to any body over maxBodyBytes, signed or not, as node and fetch do", async () => {
    const events: unknown[] = [];
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 16, max: 4096 }), fc.integer({ min: 1, max: 64 }), fc.boolean(), async (limit, over, asBytes) => {
        const made = createWebhookHandler({ secrets: "s3cret", onEvent: (e) => void events.push(e), maxBodyBytes: limit, seen: false });
        const text = JSON.stringify({ specversion: "1.0", id: "1", source: "s", type: "t", data: "" });
        const body = text.slice(0, -2) + "x".repeat(Math.max(0, limit + over - text.length)) + '"}';
        const answer = await made.handle({ method: "POST", headers: { "hpe-webhook-signature": await signatureHeader("s3cret", body) }, body: asBytes ? new TextEncoder().encode(body) : body });
        expect(answer.status).toBe(413);
      }),
      { numRuns: 50 },
    );
    expect(events).toEqual([]);
  });
});

describe("Retry-After from onEvent", () => {
  it("property: whatever retryAfterSeconds onEvent gives, the header is absent or whole seconds", async () => {
    const { retryLater, slowDown } = await import("../../src/webhooks/index.js");
    await fc.assert(
      fc.asyncProperty(fc.double(), fc.boolean(), async (seconds, slow) => {
        const made = createWebhookHandler({ secrets: "s3cret", onEvent: () => (slow ? slowDown(seconds) : retryLater(seconds)), seen: false });
        const body = JSON.stringify({ specversion: "1.0", id: "1", source: "s", type: "t" });
        const answer = await made.handle({ method: "POST", headers: { "hpe-webhook-signature": await signatureHeader("s3cret", body) }, body });
        expect(answer.status).toBe(slow ? 429 : 503);
        const header = answer.headers["retry-after"];
        if (header !== undefined) expect(header).toMatch(/^\d+$/);
      }),
      { numRuns: 200 },
    );
  });
});

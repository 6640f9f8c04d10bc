/**
 * The receiver's promises, for any body and secret: a correct signature
 * verifies; any change of one byte of the body, the signature header or the
 * secret fails; either of two secrets verifies, in either header; the
 * challenge answer is the HMAC of the challenge; an id the `seen` store holds
 * is refused, and the handler passes each id to `onEvent` once whatever the
 * order, repetition and retries of deliveries.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  answerChallenge,
  createWebhookHandler,
  GreenLakeWebhookError,
  matchSignature,
  memorySeenStore,
  retryLater,
  signatureHeader,
  verifyWebhook,
  VERIFICATION_EVENT_TYPE,
  type GreenLakeEvent,
} from "../../src/webhooks/index.js";

const secretArb = fc.string({ minLength: 1, maxLength: 100, unit: "binary" });
const bodyArb = fc.uint8Array({ minLength: 0, maxLength: 512 });
/** A CloudEvent as text, with hostile values and arbitrary spacing the signature must cover byte for byte. */
const eventArb = fc.record({
  specversion: fc.constant("1.0"),
  id: fc.string({ minLength: 1, maxLength: 40, unit: "binary" }),
  source: fc.string({ minLength: 1, maxLength: 40 }),
  type: fc.oneof(fc.constant("com.hpe.greenlake.devices.v1.devices.created"), fc.string({ minLength: 1, maxLength: 60 })),
  data: fc.jsonValue({ maxDepth: 3 }),
});
const eventTextArb = fc.tuple(eventArb, fc.constantFrom(undefined, 1, 2, "\t")).map(([e, indent]) => JSON.stringify(e, null, indent));
const oracle = (secret: string, body: Uint8Array | string) => `sha256=${createHmac("sha256", Buffer.from(secret, "utf8")).update(typeof body === "string" ? Buffer.from(body, "utf8") : body).digest("hex")}`;

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "verified";
  } catch (error) {
    if (error instanceof GreenLakeWebhookError) return error.reason;
    throw error;
  }
}

describe("signatures", () => {
  it("a correct signature verifies for any body and secret, and equals HMAC-SHA256 in lowercase hex", async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, secretArb, async (body, secret) => {
        const header = await signatureHeader(secret, body);
        expect(header).toBe(oracle(secret, body));
        await expect(matchSignature(body, { "hpe-webhook-signature": header }, secret)).resolves.toEqual({ header: "hpe-webhook-signature", secretIndex: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it("verifyWebhook returns the CloudEvents of any correctly signed body, as sent", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventTextArb, { minLength: 1, maxLength: 4 }), fc.boolean(), secretArb, async (texts, batch, secret) => {
        const body = batch ? `[${texts.join(",")}]` : texts[0]!;
        const events = await verifyWebhook({ body, headers: new Headers({ "HPE-Webhook-Signature": oracle(secret, body) }), secrets: secret });
        expect(events).toEqual(batch ? texts.map((t) => JSON.parse(t)) : [JSON.parse(texts[0]!)]);
      }),
      { numRuns: 200 },
    );
  });

  it("any change of one byte of the body fails", async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb.filter((b) => b.length > 0), secretArb, fc.nat(), fc.integer({ min: 1, max: 255 }), async (body, secret, at, flip) => {
        // Signed by the same module (as the mocks sign), so a flaw shared by signing and checking shows too.
        const header = await signatureHeader(secret, body);
        const changed = Uint8Array.from(body);
        changed[at % changed.length]! ^= flip;
        expect(await reason(matchSignature(changed, { "hpe-webhook-signature": header }, secret))).toBe("bad-signature");
      }),
      { numRuns: 300 },
    );
  });

  it("any change of one character of the signature header fails (case included)", async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, secretArb, fc.nat(), fc.integer({ min: 33, max: 126 }), async (body, secret, at, code) => {
        const header = oracle(secret, body);
        const i = at % header.length;
        const replacement = String.fromCharCode(code);
        fc.pre(header[i] !== replacement);
        const changed = header.slice(0, i) + replacement + header.slice(i + 1);
        expect(await reason(matchSignature(body, { "hpe-webhook-signature": changed }, secret))).toBe("bad-signature");
      }),
      { numRuns: 300 },
    );
  });

  it("any change of one character of the secret fails", async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, secretArb, fc.nat(), fc.integer({ min: 1, max: 0xffff }), async (body, secret, at, delta) => {
        const chars = [...secret];
        const i = at % chars.length;
        const code = chars[i]!.codePointAt(0)!;
        const next = (code + delta) % 0x10000;
        fc.pre(next < 0xd800 || next > 0xdfff);
        chars[i] = String.fromCodePoint(next);
        const other = chars.join("");
        fc.pre(Buffer.from(other, "utf8").toString("utf8") !== secret && other !== secret);
        expect(await reason(matchSignature(body, { "hpe-webhook-signature": await signatureHeader(secret, body) }, other))).toBe("bad-signature");
      }),
      { numRuns: 300 },
    );
  });

  it("during a rotation either of two secrets verifies, in either header, and the match names which", async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyArb,
        fc.uniqueArray(secretArb, { minLength: 2, maxLength: 2 }),
        fc.constantFrom(0, 1),
        fc.constantFrom("hpe-webhook-signature", "hpe-webhook-signature2"),
        fc.boolean(),
        async (body, [primary, secondary], signedWith, header, otherHeaderWrong) => {
          const secret = signedWith === 0 ? primary! : secondary!;
          const other = header === "hpe-webhook-signature" ? "hpe-webhook-signature2" : "hpe-webhook-signature";
          const headers: Record<string, string> = { [header]: oracle(secret, body) };
          if (otherHeaderWrong) headers[other] = oracle(`${secret}x`, body);
          await expect(matchSignature(body, headers, [primary!, secondary!])).resolves.toEqual({ header, secretIndex: signedWith });
          // Neither secret alone is enough when the other signed it.
          const wrong = signedWith === 0 ? secondary! : primary!;
          if (!otherHeaderWrong) expect(await reason(matchSignature(body, headers, wrong))).toBe("bad-signature");
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("challenge", () => {
  it("the answer is hex HMAC-SHA256(secret, challengeRequest), and the handler gives it only to a signed challenge", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200, unit: "binary" }), secretArb, fc.boolean(), async (challengeRequest, secret, signed) => {
        const event = { specversion: "1.0", id: "c-1", source: "//global.api.greenlake.hpe.com/events", type: VERIFICATION_EVENT_TYPE, data: { challengeRequest } } as GreenLakeEvent;
        const expected = createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(challengeRequest, "utf8")).digest("hex");
        await expect(answerChallenge(event, secret)).resolves.toEqual({ verification: expected });
        const body = JSON.stringify(event);
        const handler = createWebhookHandler({ secrets: secret, onEvent: () => {} });
        const answer = await handler.handle({ method: "POST", headers: signed ? { "hpe-webhook-signature": oracle(secret, body) } : {}, body });
        if (signed) {
          expect(answer.status).toBe(200);
          expect(JSON.parse(answer.body)).toEqual({ verification: expected });
        } else {
          expect(answer.status).toBe(401);
          expect(answer.body).not.toContain(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("replays", () => {
  it("the memory store holds each claimed id for its TTL and at most maxIds ids, whatever the claims, releases and time", async () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant("claim" as const), id: fc.constantFrom("a", "b", "c", "d") }),
      fc.record({ op: fc.constant("release" as const), id: fc.constantFrom("a", "b", "c", "d") }),
      fc.record({ op: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 3_000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), fc.integer({ min: 1, max: 5 }), async (steps, maxIds) => {
        let now = 0;
        const store = memorySeenStore({ ttlSeconds: 2, maxIds, now: () => now });
        // The model: claim time per id; an id older than the TTL, or pushed out by newer ones, is free again.
        let held: Array<[string, number]> = [];
        for (const s of steps) {
          if (s.op === "wait") now += s.ms;
          else if (s.op === "release") {
            held = held.filter(([id]) => id !== s.id);
            await store.release(s.id);
          } else {
            held = held.filter(([, at]) => now - at < 2_000);
            const isHeld = held.some(([id]) => id === s.id);
            expect(await store.claim(s.id)).toBe(!isHeld);
            if (!isHeld) held = [...held, [s.id, now] as [string, number]].slice(-maxIds);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("verifyWebhook refuses an event whose id the seen store holds", async () => {
    await fc.assert(
      fc.asyncProperty(eventArb, secretArb, async (event, secret) => {
        const seen = memorySeenStore({ now: () => 0 });
        const body = JSON.stringify(event);
        const headers = { "hpe-webhook-signature": oracle(secret, body) };
        await expect(verifyWebhook({ body, headers, secrets: secret, seen })).resolves.toHaveLength(1);
        expect(await reason(verifyWebhook({ body, headers, secrets: secret, seen }))).toBe("replayed");
      }),
      { numRuns: 200 },
    );
  });

  it("the handler passes each event id to onEvent exactly once, whatever the deliveries' order, repeats, batches and retries", async () => {
    const delivery = fc.record({
      ids: fc.array(fc.constantFrom("a", "b", "c", "d", "e"), { minLength: 1, maxLength: 4 }),
      // onEvent asks a retry for the nth event of this delivery (if any).
      retryAt: fc.option(fc.nat({ max: 3 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(delivery, { minLength: 1, maxLength: 12 }), secretArb, async (deliveries, secret) => {
        const processed: string[] = [];
        let current: { retryAt: number | undefined; n: number } = { retryAt: undefined, n: 0 };
        const handler = createWebhookHandler({
          secrets: secret,
          seen: memorySeenStore({ now: () => 0 }),
          onEvent: (event) => {
            if (current.n++ === current.retryAt) return retryLater();
            processed.push(event.id);
          },
        });
        const pending = new Set<string>();
        for (const { ids, retryAt } of deliveries) {
          current = { retryAt, n: 0 };
          const events = ids.map((id) => ({ specversion: "1.0", id, source: "s", type: "t" }));
          const body = JSON.stringify(events.length === 1 ? events[0] : events);
          const answer = await handler.handle({ method: "POST", headers: { "hpe-webhook-signature": oracle(secret, body) }, body });
          expect([200, 503]).toContain(answer.status);
          for (const id of ids) pending.add(id);
        }
        // Every id reached onEvent at most once.
        expect(new Set(processed).size).toBe(processed.length);
        // GreenLake retries what got 503: delivering everything once more, without retries, completes the set.
        current = { retryAt: undefined, n: 0 };
        for (const id of pending) {
          const body = JSON.stringify({ specversion: "1.0", id, source: "s", type: "t" });
          expect((await handler.handle({ method: "POST", headers: { "hpe-webhook-signature": oracle(secret, body) }, body })).status).toBe(200);
        }
        expect([...processed].sort()).toEqual([...pending].sort());
      }),
      { numRuns: 200 },
    );
  });
});

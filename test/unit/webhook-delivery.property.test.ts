/**
 * The mocks' delivery follows HPE's status table for any sequence of answers
 * a destination gives: 200 delivers; 404, 413, 415, 425, 429, 502, 503, 504
 * (and no answer) are retried until the retries run out, then the failure is
 * listed as retriable; 3xx, 410 and every other 4xx/5xx disable the webhook
 * at once. Each attempt is signed for the registered secret(s). Driven on a
 * manual clock over loopback, without Prism.
 */
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DocumentSchemas } from "../../src/testing/schemas.js";
import { eventSchemas, mocksOfEvents } from "./support/events-mocks.js";

const TYPE = "com.example.mocks.v1.things.created";
const RETRIES = [1_000, 2_000, 4_000];
type Scripted = number | "close";
const RETRIED = new Set([404, 413, 415, 425, 429, 502, 503, 504]);

/** HPE's table, written out again on its own: what the attempts and the outcome must be. */
function expected(script: readonly Scripted[]): { statuses: number[]; outcome: "delivered" | "disabled" | "failed" } {
  const statuses: number[] = [];
  for (let i = 0; i <= RETRIES.length; i++) {
    const answer = script[i] ?? 200;
    const status = answer === "close" ? 0 : answer;
    statuses.push(status);
    if (status === 200) return { statuses, outcome: "delivered" };
    const retried = status === 0 || RETRIED.has(status) || (status > 200 && status < 300);
    if (!retried) return { statuses, outcome: "disabled" };
  }
  return { statuses, outcome: "failed" };
}

let schemas: Map<string, DocumentSchemas>;
let server: Server;
let url: string;
let script: Scripted[] = [];
const signatures: Array<{ header: string | undefined; second: string | undefined; body: string }> = [];

beforeAll(async () => {
  schemas = await eventSchemas();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      signatures.push({ header: req.headers["hpe-webhook-signature"] as string | undefined, second: req.headers["hpe-webhook-signature2"] as string | undefined, body: Buffer.concat(chunks).toString("utf8") });
      const answer = script.shift() ?? 200;
      if (answer === "close") req.socket.destroy();
      else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));


describe("the mocks' delivery and HPE's status table", () => {
  it("for any answers, attempts stop at 200 or a disabling status, retries run out into a listed failure, each attempt signed", async () => {
    // Mostly the statuses HPE's table names (so retries chain), sometimes any other 3xx-5xx.
    const answer = fc.oneof(
      { arbitrary: fc.constantFrom<Scripted>(404, 413, 415, 425, 429, 502, 503, 504, "close"), weight: 6 },
      { arbitrary: fc.constantFrom<Scripted>(200, 201, 204, 301, 302, 400, 401, 403, 405, 409, 410, 422, 500, 501), weight: 3 },
      { arbitrary: fc.integer({ min: 300, max: 599 }), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { minLength: 0, maxLength: 5 }), fc.boolean(), async (answers, dual) => {
        const { delivery, call } = mocksOfEvents(schemas, RETRIES);
        script = [...answers];
        signatures.length = 0;
        const created = await call("post", "/events/v1beta1/webhooks", "/events/v1beta1/webhooks", {
          name: "w",
          destination: url,
          secret: "primary-secret",
          challengeRequestEnabled: false,
          ...(dual ? { secondarySecret: "secondary-secret" } : {}),
        });
        const id = (created.body as { id: string }).id;
        await call("post", "/events/v1beta1/subscriptions", "/events/v1beta1/subscriptions", [{ eventType: TYPE, webhook: { resourceUri: `/events/v1beta1/webhooks/${id}` } }]);
        const event = delivery.emit({ type: TYPE, data: { answers } });
        await delivery.advance(60_000);
        const want = expected(answers);
        expect(delivery.deliveries.map((d) => d.status)).toEqual(want.statuses);
        expect(delivery.deliveries.every((d) => d.eventIds.join() === event.id)).toBe(true);
        for (const s of signatures) {
          expect(s.header).toBe(`sha256=${createHmac("sha256", "primary-secret").update(s.body).digest("hex")}`);
          expect(s.second).toBe(dual ? `sha256=${createHmac("sha256", "secondary-secret").update(s.body).digest("hex")}` : undefined);
        }
        const shown = (await call("get", "/events/v1beta1/webhooks/{id}", `/events/v1beta1/webhooks/${id}`, undefined)).body as { status: string };
        expect(shown.status).toBe({ delivered: "ACTIVE", disabled: "DISABLED", failed: "WARNING" }[want.outcome]);
        const recent = (await call("get", "/events/v1beta1/webhooks/{id}/recent-deliveries", `/events/v1beta1/webhooks/${id}/recent-deliveries`, undefined)).body as { items: Array<{ status: string; retryStatus: string }> };
        expect(recent.items).toMatchObject([{ status: want.outcome === "delivered" ? "SUCCESS" : "FAILURE", retryStatus: want.outcome === "delivered" ? "NORETRY" : "RETRY" }]);
      }),
      { numRuns: 100 },
    );
  });
});

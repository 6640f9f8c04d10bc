import fc from "fast-check";
import { hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { silentLog } from "../../src/logging.js";
import { openToken, sealToken, sharedStateFor } from "../../src/internal/shared-state.js";
import { createServiceClient } from "../../src/service-client.js";
import { freePort } from "../faults/fleet-harness.js";
import { globalService, json, stubFetch, type FixturePaths } from "./support/fixtures.js";

const keyFrom = (secret: string, scope = "scope") => Buffer.from(hkdfSync("sha256", secret, scope, "greenlake-sdk shared token v1", 32));

describe("the shared token entry", () => {
  it("holds no usable token for a reader without the client secret, and opens with it (property)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\x21-\x7e]{8,200}$/), fc.string({ minLength: 1, maxLength: 64 }), fc.string({ minLength: 1, maxLength: 64 }), (token, secret, other) => {
        fc.pre(secret !== other);
        const entry = { accessToken: token, expiresAt: 1_000_000, lifetimeMs: 900_000 };
        const sealed = sealToken(entry, keyFrom(secret));
        expect(sealed).not.toContain(token);
        expect(Buffer.from(sealed, "base64").toString("latin1")).not.toContain(token);
        expect(openToken(sealed, keyFrom(secret), 500_000)).toEqual(entry);
        expect(openToken(sealed, keyFrom(other), 500_000)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it("refuses an entry that was tampered with", () => {
    const sealed = Buffer.from(sealToken({ accessToken: "abc.def.ghi", expiresAt: 1, lifetimeMs: 1 }, keyFrom("s")), "base64");
    sealed[sealed.length - 1] = sealed[sealed.length - 1]! ^ 1;
    expect(openToken(sealed.toString("base64"), keyFrom("s"))).toBeUndefined();
  });
});

describe("sharedState", () => {
  it("loads and connects nothing unless configured, and names a bad setting", () => {
    expect(sharedStateFor(undefined, silentLog)).toBeUndefined();
    expect(() => sharedStateFor({ redis: "http://127.0.0.1:1" }, silentLog)).toThrow(/sharedState\.redis must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => sharedStateFor({ redis: {} as never }, silentLog)).toThrow(/sharedState\.redis must be/);
  });

  it("paces locally with one warning when Redis cannot be reached, and no call fails", async () => {
    const port = await freePort();
    const warnings: string[] = [];
    const { fetch, requests } = stubFetch(() => json({}));
    const limited = { ...globalService, operations: globalService.operations.map((op) => ({ ...op, rateLimits: [{ requests: 1000, windowSeconds: 1, scope: "workspace" as const, source: "test" }] })) };
    const client = createServiceClient<FixturePaths>(limited, {
      token: "t",
      fetch,
      env: {},
      logger: { warn: (m: string) => warnings.push(m) },
      sharedState: { redis: `redis://127.0.0.1:${port}`, keyPrefix: `unreachable-${port}` },
    });
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.GET("/identity/v1/users")));
    expect(answers.every((a) => a.response.status === 200)).toBe(true);
    expect(requests).toHaveLength(5);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Shared state on Redis is unreachable/);
  });
});

/** Bad settings fail at construction, naming the setting; a service property never throws for a setting only its calls use. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GreenLakeConfigurationError } from "../../src/errors.js";
import { GreenLake } from "../../src/greenlake.js";
import { knownRegions } from "../../src/internal/regions.js";
import { serviceMetadata, serviceNames } from "../../generated/services/index.js";

const REGIONS = knownRegions(Object.values(serviceMetadata));

function failsNaming(options: Record<string, unknown>, setting: string): void {
  let error: unknown;
  try {
    new GreenLake({ token: "static-token-value", env: {}, ...options });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GreenLakeConfigurationError);
  expect((error as Error).message).toContain(setting);
}

const control = fc.integer({ min: 0, max: 0x1f }).chain((c) => fc.constantFrom(String.fromCharCode(c), "\x7f"));
const withControl = fc.tuple(fc.string({ minLength: 0, maxLength: 10 }), control, fc.string({ maxLength: 10 })).map(([a, c, b]) => `x${a}${c}${b}`);

describe("settings", () => {
  it("refuses a baseUrl with credentials, a query or a fragment", () => {
    const part = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    const bad = fc.oneof(
      fc.tuple(part, part).map(([u, p]) => `https://${u}:${p}@proxy.example.com`),
      part.map((u) => `https://${u}@proxy.example.com/base`),
      part.map((q) => `https://proxy.example.com/?${q}=1`),
      part.map((f) => `https://proxy.example.com/base#${f}`),
      part.map((q) => `http://127.0.0.1:8080/x?${q}`),
    );
    fc.assert(fc.property(bad, (baseUrl) => failsNaming({ baseUrl }, "baseUrl")), { numRuns: 100 });
  });

  it("refuses control characters in any value sent as a header", () => {
    fc.assert(fc.property(withControl, (v) => failsNaming({ tenantAcid: v }, "tenantAcid")), { numRuns: 100 });
    fc.assert(fc.property(withControl, (v) => failsNaming({ token: v }, "token")), { numRuns: 100 });
  });

  it("refuses a region no document names, and accepts every one they name", () => {
    const typo = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).filter((r) => !REGIONS.includes(r));
    fc.assert(fc.property(typo, (region) => failsNaming({ region }, region)), { numRuns: 200 });
    fc.assert(fc.property(typo, (region) => failsNaming({ env: { GREENLAKE_REGION: region } }, "GREENLAKE_REGION")), { numRuns: 50 });
    for (const region of REGIONS) expect(() => new GreenLake({ token: "t", region, env: {} })).not.toThrow();
  });

  it("never throws from a service property, whatever region is set or missing", () => {
    fc.assert(
      fc.property(fc.option(fc.constantFrom(...REGIONS), { nil: undefined }), (region) => {
        const gl = new GreenLake({ token: "t", region, env: {} });
        for (const name of Object.values(serviceNames)) expect(() => (gl as unknown as Record<string, unknown>)[name]).not.toThrow();
      }),
      { numRuns: 10 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { Faults, statedRateLimit } from "../../src/testing/faults.js";

describe("mock faults", () => {
  it("hands a scripted fault to matching calls only, as many times as scripted", () => {
    const faults = new Faults();
    faults.add({ operation: "GET /identity/v1/users", times: 2, fault: { kind: "503" } });
    faults.add({ operation: "/workspaces/v1/credentials", fault: { kind: "reset", when: "after" } });
    expect(faults.take("POST", "/identity/v1/users")).toBeUndefined();
    expect(faults.take("GET", "/identity/v1/users")).toEqual({ kind: "503" });
    expect(faults.take("get", "/identity/v1/users")).toEqual({ kind: "503" });
    expect(faults.take("GET", "/identity/v1/users")).toBeUndefined();
    expect(faults.take("DELETE", "/workspaces/v1/credentials")).toEqual({ kind: "reset", when: "after" });
    expect(faults.pending).toEqual([]);
    expect(() => faults.add({ times: 0, fault: { kind: "stall" } })).toThrow(/positive/);
  });

  it("meters calls per window with ratelimit-* headers and starts a new window when one ends", () => {
    const faults = new Faults().rateLimit({ operation: "GET /x", limit: 2, windowMs: 10_000 });
    const at = (ms: number) => faults.meter("GET", "/x", ms)!;
    expect([at(0).limited, at(1_000).limited, at(2_000).limited]).toEqual([false, false, true]);
    expect(at(3_000).headers).toEqual({ "ratelimit-limit": "2", "ratelimit-remaining": "0", "ratelimit-reset": "7" });
    expect(at(10_000)).toMatchObject({ limited: false, headers: { "ratelimit-remaining": "1" } });
    expect(faults.meter("GET", "/y", 0)).toBeUndefined();
  });

  it("reads the rate limits the documents state", () => {
    expect(statedRateLimit("Rate limits are enforced on this API. 160 requests per minute is supported per workspace.")).toEqual({ limit: 160, windowMs: 60_000 });
    expect(statedRateLimit("No limits here.")).toBeUndefined();
    const faults = new Faults((op) => (op === "GET /devices/v1/devices" ? { limit: 1, windowMs: 60_000 } : undefined));
    expect(faults.meter("GET", "/devices/v1/devices", 0)).toBeUndefined();
    faults.documentedRateLimits();
    expect(faults.meter("GET", "/devices/v1/devices", 0)?.limited).toBe(false);
    expect(faults.meter("GET", "/devices/v1/devices", 1)?.limited).toBe(true);
  });
});

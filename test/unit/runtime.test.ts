/** The runtime a client owns: its settings, its own token source, the regions it checks against. */
import { describe, expect, it } from "vitest";
import { GreenLakeConfigurationError } from "../../src/errors.js";
import { createRuntime } from "../../src/internal/runtime.js";

describe("runtime", () => {
  it("gives every client its own token source, even for the same credentials", () => {
    const options = { clientId: "c", clientSecret: "secret-value-123", workspaceId: "0123456789abcdef0123456789abcdef", env: {} };
    expect(createRuntime(options).auth).not.toBe(createRuntime(options).auth);
  });

  it("checks the region against the names it was given, and only their form without any", () => {
    expect(() => createRuntime({ token: "t", region: "us-wset", env: {} }, ["us-west", "eu-central"])).toThrow(GreenLakeConfigurationError);
    expect(createRuntime({ token: "t", region: "us-west", env: {} }, ["us-west"]).knownRegions).toEqual(["us-west"]);
    expect(() => createRuntime({ token: "t", region: "anywhere-1", env: {} })).not.toThrow();
  });

  it("makes no token source ask the network before a call", async () => {
    const runtime = createRuntime({ clientId: "c", clientSecret: "secret-value-123", tokenUrl: "https://127.0.0.1:1/token", env: {} });
    expect(runtime.auth.renewable).toBe(true);
  });
});

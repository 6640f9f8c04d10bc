/** Location values a hostile server writes: polling stays on the client's own server, or stops with a typed error. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { waitForAsyncOperation } from "../../src/async-operations.js";
import { GreenLakeError } from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, regionalService, stubFetch, type FixturePaths } from "./support/fixtures.js";

function client() {
  const stub = stubFetch(() => json({ id: "op", status: "SUCCEEDED" }));
  return { c: createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch: stub.fetch, retry: false, env: {} }), requests: stub.requests };
}

const locations = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9+.-]{0,5}$/), fc.constantFrom(":", ":@", ":.", ":/", "://"), fc.string({ maxLength: 12 })).map(([scheme, sep, rest]) => scheme + sep + rest),
  fc.constantFrom("", " ", "http://[::1", "x:@evil.example/steal", "x:.evil.example/steal", "A:$", "https://[bad/x", "//", "http://", "https://evil.example/devices/v1/async-operations/1", "//evil.example/x"),
  fc.tuple(fc.constantFrom("http://", "https://", "//", "/"), fc.string({ maxLength: 12 })).map(([a, b]) => a + b),
);

describe("waitForAsyncOperation with any Location", () => {
  it("polls only the client's own server, or fails with a GreenLakeError", async () => {
    const own = new URL(regionalService.servers["us-west"]!).origin;
    await fc.assert(
      fc.asyncProperty(locations, async (location) => {
        const { c, requests } = client();
        const outcome = await waitForAsyncOperation(c, location, { minPollIntervalMs: 1, pollIntervalMs: 1 }).catch((e: unknown) => e);
        if (outcome instanceof Error) expect(outcome).toBeInstanceOf(GreenLakeError);
        for (const r of requests) expect(new URL(r.url).origin).toBe(own);
      }),
      { numRuns: 300 },
    );
  });

  it("never takes a Location in another scheme to another host with the token", async () => {
    for (const location of ["x:@evil.example/steal", "x:.evil.example/steal", "mailto:@evil.example"]) {
      const { c, requests } = client();
      await expect(waitForAsyncOperation(c, new Response(null, { status: 202, headers: { location } }))).rejects.toThrow(/not an http\(s\) URL or path/);
      expect(requests).toHaveLength(0);
    }
  });

  it("refuses an empty Location instead of polling the server's root", async () => {
    const { c, requests } = client();
    await expect(waitForAsyncOperation(c, new Response(null, { status: 202, headers: { location: "" } }))).rejects.toThrow(/empty or not an http\(s\) URL/);
    expect(requests).toHaveLength(0);
  });
});

/** `next` links a server writes with any text in the cursor: the listing follows them or stops with a pagination error, never another error. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GreenLakePaginationError } from "../../src/errors.js";
import { paginate } from "../../src/pagination.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, regionalService, stubFetch, type FixturePaths } from "./support/fixtures.js";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("a next link with any text as its cursor", () => {
  it("is followed with the cursor the server meant, or stops the listing with a pagination error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 12 }).filter((s) => s !== "" && !s.includes("&")), async (cursorText) => {
        const seen: (string | null)[] = [];
        const stub = stubFetch((r) => {
          const asked = new URL(r.url).searchParams.get("next");
          seen.push(asked);
          return asked === null ? json({ items: [{ id: "a" }], next: `/compute-ops-mgmt/v1/events?limit=2&next=${cursorText}` }) : json({ items: [{ id: "b" }], next: null });
        });
        const c = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch: stub.fetch, retry: false, env: {} });
        const outcome: unknown = await collect(paginate(c, "/compute-ops-mgmt/v1/events")).catch((e: unknown) => e);
        if (outcome instanceof Error) expect(outcome).toBeInstanceOf(GreenLakePaginationError);
        else expect((outcome as { id: string }[]).map((e) => e.id)).toEqual(["a", "b"]);
      }),
      { numRuns: 200 },
    );
  });

  it("sends a cursor with a lone percent sign back as the server wrote it", async () => {
    const stub = stubFetch((r) => {
      const asked = new URL(r.url).searchParams.get("next");
      return asked === null ? json({ items: [{ id: "a" }], next: "/compute-ops-mgmt/v1/events?next=50%off" }) : json({ items: [{ id: asked }], next: null });
    });
    const c = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch: stub.fetch, retry: false, env: {} });
    expect((await collect(paginate(c, "/compute-ops-mgmt/v1/events"))).map((e) => e.id)).toEqual(["a", "50%off"]);
  });
});

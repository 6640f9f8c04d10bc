/**
 * Once a redirect leaves the token's origin, the token stays behind for the rest of the chain, also when a
 * later redirect comes back: a 401 at the end of such a chain never saw the token, so it must not cost the
 * client its token nor replay the call. (Comparing only the last answer's origin with the call's missed that.)
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceClient } from "../../src/service-client.js";
import { globalService, WORKSPACE, type FixturePaths } from "./support/fixtures.js";
import { startLoopback, type Loopback } from "./support/loopback.js";

let api: Loopback;
let other: Loopback;
/** The origin of each hop after the first ("api" or "other"); the last hop answers 401. */
let plan: ("api" | "other")[] = [];
let redirectStatus = 302;
let tokenNumber = 0;

function hop(req: { url?: string | undefined; headers: Record<string, unknown> }, res: import("node:http").ServerResponse): void {
  const step = Number(/\/hop(\d+)$/.exec(req.url ?? "")?.[1] ?? 0);
  if (step < plan.length) {
    const next = plan[step] === "api" ? api.url : other.url;
    res.writeHead(redirectStatus, { location: `${next}/identity/v1/users/hop${step + 1}` }).end();
    return;
  }
  res.writeHead(req.headers.authorization === undefined ? 401 : 200, { "content-type": "application/json" }).end("{}");
}

beforeAll(async () => {
  other = await startLoopback((req, res) => hop(req, res));
  api = await startLoopback((req, res) => {
    if (req.url?.includes("/token")) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ access_token: `roundtrip-token-${++tokenNumber}-abcdefgh`, expires_in: 900 }));
    }
    hop(req, res);
  });
});
afterAll(async () => {
  await api.close();
  await other.close();
});

function tokenRequests(): number {
  return api.received.filter((r) => r.target.includes("/token")).length;
}
function finalHops(): number {
  return [...api.received, ...other.received].filter((r) => r.target.endsWith(`/hop${plan.length}`)).length;
}

/** Hops that leave the API's origin at least once and end back on it. */
const roundTrip = fc
  .array(fc.constantFrom<"api" | "other">("api", "other"), { minLength: 1, maxLength: 5 })
  .filter((hops) => hops.includes("other"))
  .map((hops): ("api" | "other")[] => [...hops, "api"]);

function client(tag: string) {
  return createServiceClient<FixturePaths>(globalService, {
    clientId: `roundtrip-401-${tag}-${Math.random()}`,
    clientSecret: "roundtrip-401-secret-value",
    workspaceId: WORKSPACE,
    tokenUrl: `${api.url}/authorization/v2/oauth2/${WORKSPACE}/token`,
    baseUrl: api.url,
    env: {},
  });
}

describe("a redirect chain that leaves the API's origin and comes back to a 401", () => {
  it("neither drops the token nor replays the call, whatever the hops and redirect status", async () => {
    await fc.assert(
      fc.asyncProperty(roundTrip, fc.constantFrom(301, 302, 303, 307, 308), fc.integer({ min: 1, max: 3 }), async (hops, status, calls) => {
        plan = hops;
        redirectStatus = status;
        const gl = client(`${status}-${calls}`);
        const tokensBefore = tokenRequests();
        const finalBefore = finalHops();
        for (let i = 0; i < calls; i++) {
          const { response } = await gl.GET("/identity/v1/users");
          expect(response.status).toBe(401);
        }
        expect(tokenRequests() - tokensBefore).toBe(1);
        expect(finalHops() - finalBefore).toBe(calls);
      }),
      { numRuns: 25 },
    );
  });

  it("keeps sending the token along a chain that never leaves the API's origin", async () => {
    plan = ["api", "api"];
    redirectStatus = 302;
    const gl = client("same-origin");
    const tokensBefore = tokenRequests();
    // The token reaches the last hop, which answers 200 only when it sees one.
    const { response } = await gl.GET("/identity/v1/users");
    expect(response.status).toBe(200);
    expect(tokenRequests() - tokensBefore).toBe(1);
  });
});

// Type-level checks here are enforced by `tsc -p tsconfig.json`: an `@ts-expect-error` that no longer errors fails it.
import { describe, expect, expectTypeOf, it } from "vitest";
import { GreenLake } from "../../src/greenlake.js";
import { paginate } from "../../src/pagination.js";
import { json, stubFetch } from "./support/fixtures.js";

const SCOPE_GROUP = { id: "6c1d1a9e-5b4f-4a39-9d8e-2f3a4b5c6d7e", type: "authorization/scope-group", name: "hosts", generation: 1 };

function greenLake(answer: unknown) {
  const { fetch, requests } = stubFetch(() => json(answer, 201));
  return { gl: new GreenLake({ token: "t", region: "us-west", fetch, env: {} }), requests };
}

// Never called: it only has to type-check (or fail to, where marked).
async function typeChecks(gl: GreenLake): Promise<void> {
  // The guide's bodies: read-only `id`/`type` and defaulted fields left out, no Content-Type parameter.
  await gl.authorization.POST("/authorization/v1beta1/scope-groups", { body: { name: "hosts", description: "managed hosts" } });
  await gl.authorization.POST("/authorization/v1beta1/role-assignments", { body: { principal: "user:u", role: "grn:r", scope: ["grn:s"] } });
  await gl.computeOpsMgmt.POST("/compute-ops-mgmt/v1beta1/activation-keys", { body: { targetDevice: "ILO" } });

  // @ts-expect-error a read-only field may not be sent
  await gl.authorization.POST("/authorization/v1beta1/scope-groups", { body: { name: "hosts", id: "x" } });
  // @ts-expect-error nor a read-only field of a nested schema
  await gl.authorization.POST("/authorization/v1beta1/role-assignments", { body: { principal: "user:u", role: "grn:r", scope: [], createdAt: "now" } });
  // @ts-expect-error fields the service cannot fill in are still required
  await gl.authorization.POST("/authorization/v1beta1/role-assignments", { body: { principal: "user:u", scope: [] } });
  // @ts-expect-error Content-Type is no parameter
  await gl.computeOpsMgmt.POST("/compute-ops-mgmt/v1beta1/activation-keys", { params: { header: { "Content-Type": "application/json" } }, body: { targetDevice: "ILO" } });
}

describe("request and response bodies", () => {
  it("take the guide's bodies and send them as given", async () => {
    expectTypeOf(typeChecks).toBeFunction();
    const { gl, requests } = greenLake(SCOPE_GROUP);
    const { data } = await gl.authorization.POST("/authorization/v1beta1/scope-groups", { body: { name: "hosts", description: "managed hosts" } });
    expect(JSON.parse(requests[0]!.body)).toEqual({ name: "hosts", description: "managed hosts" });
    expect(requests[0]!.headers.get("content-type")).toBe("application/json");
    expect(data?.id).toBe(SCOPE_GROUP.id);
  });

  it("show read-only fields in responses as plain values, not marker types", async () => {
    const { gl } = greenLake(SCOPE_GROUP);
    const created = async () => (await gl.authorization.POST("/authorization/v1beta1/scope-groups", { body: { name: "hosts" } })).data!;
    expectTypeOf<Awaited<ReturnType<typeof created>>["id"]>().toEqualTypeOf<string>();
    const assignment = async () =>
      (await gl.authorization.GET("/authorization/v1beta1/role-assignments/{id}", { params: { path: { id: "x" } } })).data!;
    expectTypeOf<Awaited<ReturnType<typeof assignment>>["createdAt"]>().toEqualTypeOf<string>();
    expectTypeOf<Awaited<ReturnType<typeof assignment>>["generation"]>().toEqualTypeOf<number>();

    const { gl: lister } = greenLake({ items: [SCOPE_GROUP], count: 1, offset: 0, total: 1 });
    const ids: string[] = [];
    for await (const group of paginate(lister.authorization, "/authorization/v1beta1/scope-groups")) {
      expectTypeOf(group.id).toEqualTypeOf<string>();
      ids.push(group.id);
    }
    expect(ids).toEqual([SCOPE_GROUP.id]);
  });
});

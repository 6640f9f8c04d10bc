/**
 * HPE Aruba's device onboarding order on the stateful mocks: add devices, wait,
 * assign application and region, wait, apply a subscription, wait, list. Each
 * 202 has its own async operation, and what it does shows once it succeeds.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { onboardDevices } from "../../../examples/devices.js";
import { recordingNarrator } from "../../../examples/support/narrator.js";
import { GreenLake, GreenLakeOperationError, unwrap, waitForAsyncOperation } from "../../../src/index.js";
import { type Mocks, type StateChange } from "../../../src/testing/index.js";
import { startSharedMocks } from "../support/shared-prism.js";

let mocks: Mocks;
let gl: GreenLake;
beforeAll(async () => {
  mocks = await startSharedMocks({ services: ["device-management", "subscription-management"], async: { durationMs: 150 } });
  // Without pacing: HPE's stated limits (40 device PATCHes or reads a minute) would space these calls 1.5 s apart,
  // and the mocks do not enforce them unless asked; pacing has its own tests.
  gl = new GreenLake(mocks.clientOptions({ throwOnError: true, pacing: false }));
});
beforeEach(() => mocks.reset());
afterAll(() => mocks?.stop());

const wait = { pollIntervalMs: 30, minPollIntervalMs: 10, timeoutMs: 10_000 };

describe("device onboarding on the stateful mocks", () => {
  it("runs end to end: devices added, application, region and subscription assigned, each after its operation succeeded", async () => {
    const changes: StateChange[] = [];
    const stop = mocks.state.onChange((c) => changes.push(c));
    const subscription = mocks.state.collection("/subscriptions/v1/subscriptions")[0]!;
    const outcome = await onboardDevices(gl, recordingNarrator(), { wait, subscriptionId: String(subscription.id) });
    stop();
    expect(outcome.deviceIds).toHaveLength(2);
    const devices = mocks.state.collection("/devices/v1/devices").filter((d) => outcome.deviceIds.includes(String(d.id)));
    for (const device of devices) {
      expect(device.application).toEqual({ id: outcome.applicationId, resourceUri: `/service-catalog/v1beta1/service-managers/${outcome.applicationId}` });
      expect(device.region).toBe("us-west");
      expect((device.subscription as { id: string }[]).map((s) => s.id)).toEqual([subscription.id]);
      expect(device.tags).toEqual({ Country: "FR" });
      expect(String(device.createdAt) <= String(device.updatedAt)).toBe(true);
    }
    const operations = mocks.state.asyncOperations;
    expect(operations.map((o) => o.request)).toEqual(["POST /devices/v1/devices", "PATCH /devices/v1/devices", "PATCH /devices/v1/devices"]);
    expect(new Set(operations.map((o) => o.id)).size).toBe(3);
    expect(changes.filter((c) => c.kind === "async-operation").map((c) => (c.kind === "async-operation" ? c.state : ""))).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    expect(changes.filter((c) => c.kind === "created")).toHaveLength(2);
    // The operation reports what it did, by device id.
    const assigned = await unwrap(gl.deviceManagement.GET("/devices/v1/async-operations/{id}", { params: { path: { id: operations[1]!.id } } }));
    expect(assigned.result).toEqual({ succeededDevices: outcome.deviceIds, failedDevices: [] });
  });

  it("shows nothing before the operation succeeds, and nothing at all when it fails", async () => {
    mocks.async.durationMs = 60_000;
    const body = { compute: [{ serialNumber: "SN-PENDING-1", partNumber: "P52534-B21" }], network: [], storage: [] };
    const accepted = await gl.deviceManagement.POST("/devices/v1/devices", { body });
    expect(accepted.response.status).toBe(202);
    expect(accepted.data?.transactionId).toBe(accepted.response.headers.get("location")!.split("/").pop());
    const pending = await unwrap(gl.deviceManagement.GET(accepted.response.headers.get("location") as "/devices/v1/async-operations/{id}", {} as never));
    expect(pending.status).not.toBe("SUCCEEDED");
    expect(mocks.state.collection("/devices/v1/devices").some((d) => d.serialNumber === "SN-PENDING-1")).toBe(false);

    mocks.async.durationMs = 0;
    mocks.async.outcome = "failed";
    const failing = await gl.deviceManagement.POST("/devices/v1/devices", { body: { ...body, compute: [{ serialNumber: "SN-FAILED-1", partNumber: "P52534-B21" }] } });
    await expect(waitForAsyncOperation(gl.deviceManagement, failing, wait)).rejects.toBeInstanceOf(GreenLakeOperationError);
    expect(mocks.state.collection("/devices/v1/devices").some((d) => d.serialNumber === "SN-FAILED-1")).toBe(false);
  });

  it("sends the ids comma-joined as HPE's clients do, and takes them repeated when a call asks for that", async () => {
    const ids = mocks.state.collection("/devices/v1/devices").slice(0, 2).map((d) => String(d.id));
    const joined = await gl.deviceManagement.PATCH("/devices/v1/devices", { params: { query: { id: ids } }, body: { region: "eu-central" } });
    await waitForAsyncOperation(gl.deviceManagement, joined, wait);
    const repeated = await gl.deviceManagement.PATCH("/devices/v1/devices", {
      params: { query: { id: ids } },
      body: { region: "ap-northeast" },
      querySerializer: { array: { style: "form", explode: true } },
    });
    await waitForAsyncOperation(gl.deviceManagement, repeated, wait);
    const patches = mocks.calls.filter((c) => c.operation === "PATCH /devices/v1/devices").map((c) => new URL(c.url, "http://x").search);
    expect(patches).toEqual([`?id=${ids.join(",")}`, `?id=${ids[0]}&id=${ids[1]}`]);
    const regions = mocks.state.collection("/devices/v1/devices").filter((d) => ids.includes(String(d.id))).map((d) => d.region);
    expect(regions).toEqual(["ap-northeast", "ap-northeast"]);
    // `select` as one string, as HPE's collection writes it.
    const page = await unwrap(gl.deviceManagement.GET("/devices/v1/devices", { params: { query: { select: "id,serialNumber", limit: 1 } } }));
    expect(Object.keys(page.items[0]!).sort()).toEqual(["id", "serialNumber"]);
  });

  it("answers 404 for a PATCH naming a device the workspace does not have", async () => {
    const error = await gl.deviceManagement
      .PATCH("/devices/v1/devices", { params: { query: { id: ["00000000-0000-4000-8000-000000000001"] } }, body: { region: "us-west" } })
      .catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(404);
  });
});

/**
 * Device onboarding in the order HPE Aruba's GreenLake workflows use: add
 * devices to the workspace, wait; assign them an application and region,
 * wait; apply a subscription, wait; then list what the workspace now shows.
 * Each step answers 202 and is followed to its end with waitForAsyncOperation.
 *
 * Run: `npx tsx examples/devices.ts` (mocks, or GreenLake when GREENLAKE_* credentials are set).
 */
import { odata, unwrap, waitForAsyncOperation, type GreenLake, type WaitOptions } from "greenlake-sdk";
import { plural, short, type Narrator } from "./support/narrator.js";
import { isMain, runExample } from "./support/run-example.js";

export const services = ["device-management", "subscription-management"] as const;

export interface OnboardingOptions {
  /** Serial and part numbers of the compute devices to add (at most five per request). */
  readonly devices?: readonly { serialNumber: string; partNumber: string }[];
  /** Id of the application (service manager) to assign; default the one the device documents show. */
  readonly applicationId?: string;
  /** Region of that application; default `us-west`. */
  readonly region?: string;
  /** Subscription to apply; default the first compute subscription the workspace lists. */
  readonly subscriptionId?: string;
  readonly wait?: WaitOptions;
}

export interface OnboardingOutcome {
  readonly deviceIds: readonly string[];
  readonly applicationId: string;
  readonly subscriptionId: string;
}

const EXAMPLE_DEVICES = [
  { serialNumber: "CZ2D2A0B1C", partNumber: "P52534-B21" },
  { serialNumber: "CZ2D2A0B1D", partNumber: "P52534-B21" },
];

export async function onboardDevices(gl: GreenLake, narrator: Narrator, options: OnboardingOptions = {}): Promise<OnboardingOutcome> {
  narrator.step("Devices: add, assign an application and region, apply a subscription");
  const devices = options.devices ?? EXAMPLE_DEVICES;
  const applicationId = options.applicationId ?? "0892c36d-40df-4f26-923b-76b5d213b420";
  const region = options.region ?? "us-west";
  const wait = options.wait ?? { pollIntervalMs: 200 };
  const dm = gl.deviceManagement;

  // 1. Add the devices; they appear once the async operation succeeds.
  const added = await dm.POST("/devices/v1/devices", {
    body: { compute: devices.map((d) => ({ ...d, tags: { Country: "FR" } })), network: [], storage: [] },
  });
  const addition = await waitForAsyncOperation(dm, added, wait);
  narrator.say(`added ${plural(devices.length, "device")}: async operation ${short(String(addition.id))} ${addition.status ?? addition.state}`);

  const serials = devices.map((d) => d.serialNumber);
  const listed = await unwrap(dm.GET("/devices/v1/devices", { params: { query: { filter: odata`serialNumber in ${serials}`, limit: 10 } } }));
  const ids = listed.items.map((d) => d.id);
  if (ids.length !== devices.length) throw new Error(`expected ${devices.length} new devices, the workspace lists ${ids.length}`);

  // 2. Assign the application and its region to all of them in one request.
  const assigned = await dm.PATCH("/devices/v1/devices", {
    params: { query: { id: ids } },
    body: { application: { id: applicationId }, region },
  });
  await waitForAsyncOperation(dm, assigned, wait);
  narrator.say(`assigned application ${short(applicationId)} in ${region}`);

  // 3. Apply a subscription.
  const subscriptionId = options.subscriptionId ?? (await firstComputeSubscription(gl));
  const subscribed = await dm.PATCH("/devices/v1/devices", {
    params: { query: { id: ids } },
    body: { subscription: [{ id: subscriptionId }] },
  });
  await waitForAsyncOperation(dm, subscribed, wait);
  narrator.say(`applied subscription ${short(subscriptionId)}`);

  // 4. What the workspace shows now: one listing rather than a read per device (reads are paced, 40 a minute).
  const onboarded = await unwrap(dm.GET("/devices/v1/devices", { params: { query: { filter: odata`serialNumber in ${serials}`, limit: 10 } } }));
  for (const device of onboarded.items) {
    const subscriptions = (device.subscription ?? []).map((s) => short(s.id ?? "")).join(", ");
    narrator.say(`${device.serialNumber}: application ${short(device.application?.id ?? "none")}, region ${device.region ?? "none"}, subscription ${subscriptions || "none"}`);
  }
  return { deviceIds: ids, applicationId, subscriptionId };
}

async function firstComputeSubscription(gl: GreenLake): Promise<string> {
  const page = await unwrap(gl.subscriptionManagement.GET("/subscriptions/v1/subscriptions", { params: { query: { limit: 5 } } }));
  const first = page.items[0];
  if (first === undefined) throw new Error("the workspace lists no subscription to apply");
  return first.id;
}

if (isMain(import.meta.url)) {
  await runExample("Device onboarding", services, (gl, narrator) => onboardDevices(gl, narrator));
}

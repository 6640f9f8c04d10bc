/**
 * What GreenLake's device and subscription inventory does once an accepted
 * (202) request's async operation succeeds: `POST /devices/.../devices` adds one
 * device per entry, `PATCH /devices/.../devices?id=...` assigns an application,
 * a region or subscriptions to the named devices, and the subscription
 * equivalents add keys or change tags. Pure functions over items: the state
 * layer decides when they run.
 */
import { randomUUID } from "node:crypto";
import type { Item } from "./state-store.js";

const isObject = (v: unknown): v is Item => typeof v === "object" && v !== null && !Array.isArray(v);

/** A devices or subscriptions collection whose documents change it as a whole: `/devices/v1/devices`. */
export function inventoryKind(template: string): "devices" | "subscriptions" | undefined {
  if (/^\/devices\/v[^/]+\/devices$/.test(template)) return "devices";
  if (/^\/subscriptions\/v[^/]+\/subscriptions$/.test(template)) return "subscriptions";
  return undefined;
}

/**
 * Ids named by the query: repeated (`id=a&id=b`, as the document declares) or
 * comma-joined (`id=a,b`, as HPE's own clients send them); both are accepted.
 */
export function queryIds(query: URLSearchParams, name = "id"): string[] {
  return [...new Set(query.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== ""))];
}

/** A device's tags as GreenLake lists them: `{ "Country": "FR" }`, from either shape a request may carry. */
export function flatTags(tags: unknown): Record<string, string> | undefined {
  if (!isObject(tags)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value === "string") out[key] = value;
    else if (isObject(value) && typeof value.value === "string") out[typeof value.key === "string" ? value.key : key] = value.value;
  }
  return out;
}

const DEVICE_CATEGORIES = { compute: "COMPUTE", network: "NETWORK", storage: "STORAGE" } as const;

export interface NewDevice {
  readonly serialNumber: string;
  readonly partNumber?: string;
  readonly macAddress?: string;
  readonly category: "COMPUTE" | "NETWORK" | "STORAGE";
  readonly tags?: Record<string, string>;
}

/** Devices a POST body names: `{ compute: [...], network: [...], storage: [...] }` (v1), or one device (v2beta1). */
export function devicesOfPost(body: unknown): NewDevice[] {
  if (!isObject(body)) return [];
  const one = (entry: unknown, category: NewDevice["category"]): NewDevice | undefined => {
    if (!isObject(entry) || typeof entry.serialNumber !== "string") return undefined;
    const tags = flatTags(entry.tags);
    return {
      serialNumber: entry.serialNumber,
      category,
      ...(typeof entry.partNumber === "string" ? { partNumber: entry.partNumber } : {}),
      ...(typeof entry.macAddress === "string" ? { macAddress: entry.macAddress } : {}),
      ...(tags === undefined ? {} : { tags }),
    };
  };
  if (typeof body.serialNumber === "string") {
    const category = body.deviceType === "NETWORK" || body.deviceType === "STORAGE" ? body.deviceType : "COMPUTE";
    const device = one(body, category);
    return device === undefined ? [] : [device];
  }
  const out: NewDevice[] = [];
  for (const [key, category] of Object.entries(DEVICE_CATEGORIES)) {
    const list = body[key];
    if (Array.isArray(list)) for (const entry of list) {
      const device = one(entry, category);
      if (device !== undefined) out.push(device);
    }
  }
  return out;
}

/** One device item from `base` (generated from the schema) with what the request said; unassigned, as GreenLake adds them. */
export function deviceItem(base: Item, device: NewDevice, now: string): Item {
  const item: Item = { ...base, id: randomUUID(), serialNumber: device.serialNumber, createdAt: now, updatedAt: now };
  if (device.partNumber !== undefined) item.partNumber = device.partNumber;
  if (device.macAddress !== undefined) item.macAddress = device.macAddress;
  if ("deviceType" in base) item.deviceType = device.category;
  if ("category" in base) item.category = device.category;
  if ("tags" in base || device.tags !== undefined) item.tags = device.tags ?? {};
  if ("application" in base) item.application = null;
  if ("region" in base) item.region = null;
  if ("subscription" in base) item.subscription = [];
  if ("assignedState" in base) item.assignedState = "UNASSIGNED";
  if ("archived" in base) item.archived = false;
  if ("type" in base) item.type = "devices/device";
  return item;
}

/** The fields a device PATCH sets: application, region, subscriptions (by id, completed from `subscriptions` when known), tags. */
export function devicePatch(body: unknown, subscriptionOf: (id: string) => Item | undefined, applicationUri: (id: string) => string): Item {
  if (!isObject(body)) return {};
  const patch: Item = {};
  if (isObject(body.application) && typeof body.application.id === "string") {
    patch.application = { id: body.application.id, resourceUri: applicationUri(body.application.id) };
    patch.assignedState = "ASSIGNED_TO_SERVICE";
  } else if (body.application === null) {
    patch.application = null;
    patch.assignedState = "UNASSIGNED";
  }
  if (typeof body.region === "string" || body.region === null) patch.region = body.region;
  if (Array.isArray(body.subscription)) {
    patch.subscription = body.subscription.filter(isObject).map((s) => {
      const id = String(s.id ?? "");
      const known = subscriptionOf(id);
      return {
        id,
        resourceUri: typeof known?.resourceUri === "string" ? known.resourceUri : `/subscriptions/v1/subscriptions/${id}`,
        ...(typeof known?.key === "string" ? { key: known.key } : {}),
        ...(typeof known?.endTime === "string" ? { endTime: known.endTime } : {}),
      };
    });
  }
  if (typeof body.tenantWorkspaceId === "string") patch.tenantWorkspaceId = body.tenantWorkspaceId;
  return patch;
}

/** Tags after a merge-patch: a string sets a tag, null (or `{ value: null }`) deletes it. */
export function mergeTags(current: unknown, patch: unknown): Record<string, string> {
  const out: Record<string, string> = isObject(current) ? (Object.fromEntries(Object.entries(current).filter(([, v]) => typeof v === "string")) as Record<string, string>) : {};
  if (!isObject(patch)) return out;
  for (const [key, value] of Object.entries(patch)) {
    const v = isObject(value) && "value" in value ? value.value : value;
    const k = isObject(value) && typeof value.key === "string" ? value.key : key;
    if (v === null) delete out[k];
    else if (typeof v === "string") out[k] = v;
  }
  return out;
}

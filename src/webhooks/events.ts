/**
 * What GreenLake delivers: CloudEvents 1.0, one per request or an array when
 * the webhook batches. Event types HPE documents are typed here, with the
 * resource in `data` taken from the generated schemas where a document
 * describes it; any other type still arrives, as a generic `CloudEvent`.
 *
 * Resource events follow HPE's pattern
 * `com.hpe.greenlake.<api-group>.<version>.<resource-collection>.<created|updated|deleted>`.
 */
import type { paths as AuditLogPaths } from "../../generated/services/audit-logs.js";
import type { paths as ComPaths } from "../../generated/services/compute-ops-mgmt.js";
import type { paths as DevicePaths } from "../../generated/services/device-management.js";
import type { paths as IdentityPaths } from "../../generated/services/identity.js";
import type { paths as LocationPaths } from "../../generated/services/location-management.js";
import type { paths as SubscriptionPaths } from "../../generated/services/subscription-management.js";
import type { paths as WebhookPaths } from "../../generated/services/event.js";

/** A CloudEvent 1.0 as GreenLake sends it; `data` is the resource or the occurrence. */
export interface CloudEvent<Type extends string = string, Data = unknown> {
  readonly specversion: string;
  readonly id: string;
  readonly source: string;
  readonly type: Type;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly data?: Data;
  /** CloudEvents extension attributes. */
  readonly [extension: string]: unknown;
}

type Json200<Op> = Op extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : never;
/** One item of a list operation's 200 answer. */
type ListItem<Paths, Path extends keyof Paths> = Paths[Path] extends { get: infer Op } ? (NonNullable<Json200<Op>> extends { items?: (infer Item)[] | null } ? Item : never) : never;

export type ResourceChange = "created" | "updated" | "deleted";
type Changes<Prefix extends string, Data> = { [C in ResourceChange as `${Prefix}.${C}`]: Data };

export type Device = ListItem<DevicePaths, "/devices/v1/devices">;
export type User = ListItem<IdentityPaths, "/identity/v1/users">;
export type Subscription = ListItem<SubscriptionPaths, "/subscriptions/v1/subscriptions">;
export type Location = ListItem<LocationPaths, "/locations/v1/locations">;
export type ComServer = ListItem<ComPaths, "/compute-ops-mgmt/v1/servers">;
export type ComJob = ListItem<ComPaths, "/compute-ops-mgmt/v1/jobs">;
export type AuditLog = ListItem<AuditLogPaths, "/audit-log/v2beta1/logs">;
export type Webhook = ListItem<WebhookPaths, "/events/v1beta1/webhooks">;

export const VERIFICATION_EVENT_TYPE = "com.hpe.greenlake.events.v1beta1.webhooks.verification";

/** The event types HPE documents, with the shape of their `data`. */
export type EventDataByType = {
  [VERIFICATION_EVENT_TYPE]: { readonly challengeRequest: string };
  "com.hpe.greenlake.audit-log.v1.logs.created": AuditLog;
  "com.hpe.greenlake.subscriptions.v1.expiring-subscriptions": { readonly key?: string; readonly expirydate?: string; readonly [field: string]: unknown };
  "com.hpe.greenlake.service-provision.v1.serviceprovision.provisioned": Record<string, unknown>;
  "com.hpe.greenlake.service-provision.v1.serviceprovision.unprovision": Record<string, unknown>;
} & Changes<"com.hpe.greenlake.devices.v1.devices", Device> &
  Changes<"com.hpe.greenlake.identity.v1.users", User> &
  Changes<"com.hpe.greenlake.subscriptions.v1.subscriptions", Subscription> &
  Changes<"com.hpe.greenlake.locations.v1.locations", Location> &
  Changes<"com.hpe.greenlake.compute-ops-mgmt.v1.servers", ComServer> &
  Changes<"com.hpe.greenlake.compute-ops-mgmt.v1.jobs", ComJob> &
  Changes<"com.hpe.greenlake.events.v1beta1.webhooks", Webhook>;

export type KnownEventType = keyof EventDataByType & string;

/** A known event, typed by its `type`. */
export type KnownEvent<T extends KnownEventType = KnownEventType> = { [K in T]: CloudEvent<K, EventDataByType[K]> }[T];

/** Anything `verifyWebhook` returns: a known event, or a CloudEvent of a type this SDK does not know yet. */
export type GreenLakeEvent = KnownEvent | CloudEvent;

/**
 * Narrows an event to a known type, with its `data` typed:
 * `if (isEventType(event, "com.hpe.greenlake.devices.v1.devices.created")) event.data?.serialNumber`.
 */
export function isEventType<T extends KnownEventType>(event: GreenLakeEvent, type: T): event is KnownEvent<T> {
  return event.type === type;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const REQUIRED = ["specversion", "id", "source", "type"] as const;

/** Why `value` is not a CloudEvent, or undefined when it is one. */
export function cloudEventProblem(value: unknown, at: string): string | undefined {
  if (!isObject(value)) return `${at} is not a JSON object`;
  for (const field of REQUIRED) {
    const v = value[field];
    if (typeof v !== "string" || v.length === 0) return `${at} has no ${field} (a CloudEvent needs specversion, id, source and type as strings)`;
  }
  if (value.time !== undefined && (typeof value.time !== "string" || Number.isNaN(Date.parse(value.time)))) return `${at}.time is not an RFC 3339 date-time`;
  return undefined;
}

/**
 * The mocks as GreenLake's event service: a webhook registered on them
 * (`POST /events/v1beta1/webhooks` with a destination and secret) gets the
 * rate negotiation and the verification challenge (three attempts within
 * 10 s), and its status moves as GreenLake's does; from then on every create,
 * update and delete in a subscribed collection, and every async operation's
 * completion, is POSTed to it as a signed CloudEvent (both signature headers
 * while a `secondarySecret` is set; batched when asked), retried or disabled
 * per HPE's status table, with failures listed and retriable through the
 * event API. Destinations must be loopback unless the user allows others.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { CollectionModel } from "./collections.js";
import { errorBody } from "./error-body.js";
import type { StateRoutes } from "./front-door.js";
import type { StateAnswer, StateChange, StateLayer, StateRequest } from "./state-layer.js";
import type { Item, StateStore } from "./state-store.js";
import { realClock, type ManualClock, type MockClock } from "./webhook-clock.js";

export const WEBHOOKS = "/events/v1beta1/webhooks";
export const SUBSCRIPTIONS = "/events/v1beta1/subscriptions";
export const VERIFICATION_TYPE = "com.hpe.greenlake.events.v1beta1.webhooks.verification";
/** Statuses after which GreenLake delivers again (HPE's webhook status table); 200 delivers; any other 3xx/4xx/5xx disables. */
export const RETRIED_STATUSES: ReadonlySet<number> = new Set([404, 413, 415, 425, 429, 502, 503, 504]);
const CHALLENGE_ATTEMPTS_AT_MS = [0, 3_000, 6_000];
const FAILURES_FOR_CRITICAL = 20;
const CRITICAL_WINDOW_MS = 12 * 3600_000;

/** A CloudEvent as the mocks send it. */
export interface MockCloudEvent {
  readonly specversion: string;
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly datacontenttype?: string;
  readonly subject?: string;
  readonly data?: unknown;
  readonly [extension: string]: unknown;
}

export interface WebhookMockOptions {
  /** Time for challenges, retries, batches and async completions; default the real clock. `manualClock()` for tests. */
  readonly clock?: MockClock;
  /** Destinations the mocks may POST to besides loopback (127.0.0.0/8, ::1, localhost); default none. */
  readonly allowDestination?: (url: URL) => boolean;
  /** A batching webhook gets up to `maxEvents` (default 10) per request, or what gathered within `windowMs` (default 1000). */
  readonly batch?: { readonly maxEvents?: number; readonly windowMs?: number };
  /** Waits before each retry of a delivery GreenLake retries; default [1000, 10000, 60000] (three retries). */
  readonly retryDelaysMs?: readonly number[];
  /** How long a destination has to answer, in real time; default 3000 ms. */
  readonly answerTimeoutMs?: number;
}

/** One request the mocks sent to a destination. */
export interface MockDelivery {
  readonly webhookId: string;
  readonly kind: "rate" | "challenge" | "event";
  readonly eventIds: readonly string[];
  /** 1 for the first attempt of a delivery, 2 for its first retry... */
  readonly attempt: number;
  /** The destination's status; 0 when it did not answer in time or could not be reached. */
  readonly status: number;
  /** On the delivery clock. */
  readonly at: number;
}

/** `mocks.events`: inject events, watch deliveries, and move a manual clock. */
export interface MockEvents {
  /** Delivers an event to every webhook subscribed to its type; id, source, time and specversion are filled in when absent. */
  emit(event: { readonly type: string } & Partial<MockCloudEvent>): MockCloudEvent;
  /** Every request sent to a destination so far, oldest first. */
  readonly deliveries: readonly MockDelivery[];
  /** Resolves once no request to a destination is in flight. */
  settled(): Promise<void>;
  /** With a manual clock: moves it `ms` forward, running each challenge, retry, batch and completion due, and waits for their requests. */
  advance(ms: number): Promise<void>;
}

interface Registration {
  readonly id: string;
  secret: string;
  secondarySecret: string | undefined;
  destination: string;
  batching: boolean;
  challengeEnabled: boolean;
  paused: boolean;
  /** Verified once at least (or no challenge asked): deliveries may go. */
  verified: boolean;
  /** Bumped by each new verification, so an older sequence's remaining attempts stop. */
  verification: number;
  queue: MockCloudEvent[];
  flush: (() => void) | undefined;
  failureTimes: number[];
  readonly timers: Set<() => void>;
}

interface DeliveryRecord {
  readonly id: string;
  readonly webhookId: string;
  readonly events: readonly MockCloudEvent[];
  readonly batched: boolean;
  readonly createdAt: number;
  updatedAt: number;
  generation: number;
  status: "SUCCESS" | "FAILURE";
  httpResponseCode: number;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  responseBody: string;
  failureId: string | undefined;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly error?: string;
}

const isObject = (v: unknown): v is Item => typeof v === "object" && v !== null && !Array.isArray(v);
const iso = (ms: number) => new Date(ms).toISOString();
const hmac = (secret: string, text: string) => createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(text, "utf8")).digest("hex");

/** A path segment decoded; one with a malformed escape (a lone %) is kept as sent, so it matches nothing. */
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `com.hpe.greenlake.<api-group>.<version>.<resource-collection>.<change>`, from a collection's path template. */
export function eventTypeOf(template: string, change: string): string {
  const segments = template.split("/").filter((s) => s !== "");
  const group = segments[0] ?? "unknown";
  const version = segments.find((s) => /^v\d/.test(s)) ?? "v1";
  const collection = [...segments].reverse().find((s) => !s.startsWith("{")) ?? group;
  return `com.hpe.greenlake.${group}.${version}.${collection}.${change}`;
}

function sourceOf(template: string): string {
  return `https://global.api.greenlake.hpe.com/${template.split("/").filter((s) => s !== "")[0] ?? ""}`;
}

export interface WebhookDeliveryParts {
  readonly store: StateStore;
  readonly models: ReadonlyMap<string, CollectionModel>;
  readonly layer: StateLayer;
  readonly options?: WebhookMockOptions;
}

export class WebhookDelivery implements MockEvents {
  readonly #registrations = new Map<string, Registration>();
  readonly #subscriptions = new Map<string, { webhookId: string; eventType: string }>();
  readonly #records: DeliveryRecord[] = [];
  readonly #deliveries: MockDelivery[] = [];
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #pendingCompletions = new Set<() => void>();
  readonly #clock: MockClock;
  readonly #retryDelays: readonly number[];
  readonly #answerTimeout: number;
  readonly #batchMax: number;
  readonly #batchWindow: number;

  constructor(private readonly parts: WebhookDeliveryParts) {
    const o = parts.options ?? {};
    this.#clock = o.clock ?? realClock;
    this.#retryDelays = o.retryDelaysMs ?? [1_000, 10_000, 60_000];
    this.#answerTimeout = o.answerTimeoutMs ?? 3_000;
    this.#batchMax = Math.max(1, o.batch?.maxEvents ?? 10);
    this.#batchWindow = Math.max(0, o.batch?.windowMs ?? 1_000);
    parts.layer.onChange((change) => this.#changed(change));
  }

  get deliveries(): readonly MockDelivery[] {
    return this.#deliveries;
  }

  reset(): void {
    for (const r of this.#registrations.values()) this.#forget(r);
    for (const cancel of this.#pendingCompletions) cancel();
    this.#pendingCompletions.clear();
    this.#registrations.clear();
    this.#subscriptions.clear();
    this.#records.length = 0;
    this.#deliveries.length = 0;
  }

  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  async advance(ms: number): Promise<void> {
    const clock = this.#clock as Partial<ManualClock>;
    if (typeof clock.advanceTo !== "function" || typeof clock.nextDue !== "function") {
      throw new TypeError("mocks.events.advance needs a manual clock: startMocks({ webhooks: { clock: manualClock() } }).");
    }
    const end = this.#clock.now() + ms;
    await this.settled();
    for (let due = clock.nextDue(); due !== undefined && due <= end; due = clock.nextDue()) {
      clock.advanceTo(due);
      await this.settled();
    }
    clock.advanceTo(end);
    await this.settled();
  }

  emit(partial: { readonly type: string } & Partial<MockCloudEvent>): MockCloudEvent {
    if (typeof partial?.type !== "string" || partial.type === "") throw new TypeError("mocks.events.emit needs an event with a type, e.g. { type: \"com.hpe.greenlake.devices.v1.devices.created\", data: {...} }.");
    const event: MockCloudEvent = {
      specversion: "1.0",
      id: randomUUID(),
      source: "https://global.api.greenlake.hpe.com/mocks",
      time: iso(this.#clock.now()),
      datacontenttype: "application/json",
      ...partial,
    };
    this.#publish(event);
    return event;
  }

  /** The state layer with the event service's routes the mocks answer themselves in front of it. */
  routes(layer: StateLayer): StateRoutes {
    return {
      owns: (method, template) => this.#owns(method, template) || layer.owns(method, template),
      handle: (request) => (this.#owns(request.method, request.operation.path) ? this.#handle(request, layer) : layer.handle(request)),
    };
  }

  // --- the event API ---------------------------------------------------------------------------

  #owns(method: string, template: string): boolean {
    const m = method.toLowerCase();
    if (template === WEBHOOKS) return m === "post";
    if (template === `${WEBHOOKS}/{id}`) return m === "patch" || m === "delete";
    if (template === `${WEBHOOKS}/{id}/verify`) return m === "post";
    if (template === `${WEBHOOKS}/{id}/recent-deliveries`) return m === "get";
    if (template === `${WEBHOOKS}/{id}/delivery-failures/{failureId}/retry`) return m === "post";
    if (template === SUBSCRIPTIONS) return m === "post" || m === "delete";
    return false;
  }

  #handle(request: StateRequest, layer: StateLayer): StateAnswer | undefined | Promise<StateAnswer> {
    const m = request.method.toLowerCase();
    const template = request.operation.path;
    const segments = request.pathname.split("/").map(decodedSegment);
    const id = segments[4] ?? "";
    const body = isObject(request.body) ? request.body : {};
    if (template === WEBHOOKS) {
      const answer = layer.handle(request);
      if (answer === undefined || answer.status >= 300) return answer;
      const location = answer.headers.location ?? "";
      const created = location.slice(location.lastIndexOf("/") + 1);
      return this.#withItem(answer, this.#register(decodedSegment(created), body));
    }
    if (template === `${WEBHOOKS}/{id}` && m === "patch") {
      const answer = layer.handle(request);
      if (answer === undefined || answer.status >= 300) return answer;
      return this.#withItem(answer, this.#reconfigure(id, body));
    }
    if (template === `${WEBHOOKS}/{id}` && m === "delete") {
      const answer = layer.handle(request);
      const registration = this.#registrations.get(id);
      if (answer !== undefined && answer.status < 300 && registration !== undefined) {
        this.#forget(registration);
        this.#registrations.delete(id);
        for (const [sid, s] of this.#subscriptions) if (s.webhookId === id) this.#subscriptions.delete(sid);
      }
      return answer;
    }
    if (template.startsWith(`${WEBHOOKS}/{id}/`)) {
      // Webhooks the mocks generated (no secret known) keep the state layer's answers, or Prism's.
      if (!this.#registrations.has(id)) return layer.owns(request.method, template) ? layer.handle(request) : undefined;
      if (this.#webhookItem(id) === undefined) return { status: 404, headers: {}, body: errorBody(404, `${request.method.toUpperCase()} ${request.pathname}: no webhook with id "${id}" exists.`) };
    }
    if (template === `${WEBHOOKS}/{id}/verify`) return this.#verifyNow(request, id);
    if (template === `${WEBHOOKS}/{id}/recent-deliveries`) return this.#recentDeliveries(request, id);
    if (template === `${WEBHOOKS}/{id}/delivery-failures/{failureId}/retry`) return this.#retryFailure(request, id, segments[6] ?? "");
    if (template === SUBSCRIPTIONS && m === "post") return this.#subscribe(request);
    if (template === SUBSCRIPTIONS && m === "delete") return this.#unsubscribe(request);
    return undefined;
  }

  #withItem(answer: StateAnswer, item: Item | undefined): StateAnswer {
    if (item === undefined || !isObject(answer.body)) return answer;
    const body: Item = { ...answer.body };
    for (const key of Object.keys(body)) if (item[key] !== undefined) body[key] = item[key];
    return { ...answer, body };
  }

  #webhookModel(): CollectionModel | undefined {
    return this.parts.models.get(WEBHOOKS);
  }

  #webhookItem(id: string): Item | undefined {
    const model = this.#webhookModel();
    return model === undefined ? undefined : this.parts.store.find(model, WEBHOOKS, id);
  }

  /** Sets fields of the webhook as GET shows it (status, stateReason, dualSecret, endpointRateLimit...). */
  #show(id: string, patch: Item): Item | undefined {
    const model = this.#webhookModel();
    // Status, reason and rate are the service's own bookkeeping, not an edit: the webhook's generation stays.
    return model === undefined ? undefined : this.parts.store.update(model, WEBHOOKS, id, patch, false, undefined, true);
  }

  #register(id: string, body: Item): Item | undefined {
    if (typeof body.secret !== "string" || typeof body.destination !== "string") return this.#webhookItem(id);
    const registration: Registration = {
      id,
      secret: body.secret,
      secondarySecret: typeof body.secondarySecret === "string" && body.secondarySecret !== "" ? body.secondarySecret : undefined,
      destination: body.destination,
      batching: body.batching === true,
      challengeEnabled: body.challengeRequestEnabled !== false,
      paused: false,
      verified: false,
      verification: 0,
      queue: [],
      flush: undefined,
      failureTimes: [],
      timers: new Set(),
    };
    this.#registrations.set(id, registration);
    this.#show(id, { paused: false, batching: registration.batching, challengeRequestEnabled: registration.challengeEnabled, dualSecret: registration.secondarySecret !== undefined, endpointRateLimit: null });
    return this.#startVerification(registration);
  }

  #reconfigure(id: string, body: Item): Item | undefined {
    const r = this.#registrations.get(id);
    if (r === undefined) return this.#webhookItem(id);
    const reverify =
      (typeof body.destination === "string" && body.destination !== r.destination) ||
      (typeof body.secret === "string" && body.secret !== r.secret) ||
      (body.challengeRequestEnabled === true && !r.challengeEnabled);
    if (typeof body.destination === "string") r.destination = body.destination;
    if (typeof body.secret === "string") r.secret = body.secret;
    // An empty secondarySecret ends the rotation.
    if (typeof body.secondarySecret === "string") r.secondarySecret = body.secondarySecret === "" ? undefined : body.secondarySecret;
    if (typeof body.batching === "boolean") r.batching = body.batching;
    if (typeof body.challengeRequestEnabled === "boolean") r.challengeEnabled = body.challengeRequestEnabled;
    if (typeof body.paused === "boolean") r.paused = body.paused;
    const item = this.#show(id, { dualSecret: r.secondarySecret !== undefined, batching: r.batching, challengeRequestEnabled: r.challengeEnabled, paused: r.paused });
    if (reverify) return this.#startVerification(r);
    if (!r.paused) this.#flushLater(r, 0);
    return item;
  }

  #forget(r: Registration): void {
    for (const cancel of r.timers) cancel();
    r.timers.clear();
    r.flush?.();
    r.flush = undefined;
    r.verification++;
  }

  #later(r: Registration, ms: number, run: () => void): void {
    const cancel = this.#clock.schedule(ms, () => {
      r.timers.delete(cancel);
      run();
    });
    r.timers.add(cancel);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.finally(() => this.#inflight.delete(tracked));
    this.#inflight.add(tracked);
    return tracked;
  }

  // --- verification ------------------------------------------------------------------------------

  #startVerification(r: Registration): Item | undefined {
    const url = this.#destinationProblem(r.destination);
    if (url !== undefined) {
      // A destination refused is no longer verified, whatever the one before it was.
      r.verified = false;
      return this.#show(r.id, { status: "WARNING", stateReason: `Webhook URL unreachable. error: ${url}` });
    }
    if (!r.challengeEnabled) {
      r.verified = true;
      return this.#show(r.id, { status: "ACTIVE", stateReason: "" });
    }
    const sequence = ++r.verification;
    const item = this.#show(r.id, { status: "PENDING", stateReason: "Verification challenge sent to the destination." });
    for (const [attempt, at] of CHALLENGE_ATTEMPTS_AT_MS.entries()) {
      this.#later(r, at, () => {
        if (r.verification !== sequence) return;
        void this.#track(this.#challengeAttempt(r, sequence, attempt + 1));
      });
    }
    return item;
  }

  /** Why the mocks will not send to `destination`, or undefined when they will. */
  #destinationProblem(destination: string): string | undefined {
    let url: URL;
    try {
      url = new URL(destination);
    } catch {
      return `${JSON.stringify(destination)} is not a URL`;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return `${url.protocol} is not http or https`;
    if (isLoopback(url) || this.parts.options?.allowDestination?.(url) === true) return undefined;
    return `the mocks send only to loopback destinations (127.0.0.1, ::1, localhost), not ${url.host}; allow others with startMocks({ webhooks: { allowDestination } })`;
  }

  async #challengeAttempt(r: Registration, sequence: number, attempt: number): Promise<{ status: number; message: string; requestedRate: number | null }> {
    if (attempt === 1) {
      const rate = await this.#send(r, "OPTIONS", { "webhook-request-origin": "global.api.greenlake.hpe.com" }, undefined);
      this.#deliveries.push({ webhookId: r.id, kind: "rate", eventIds: [], attempt: 1, status: rate.status, at: this.#clock.now() });
      const allowed = Object.entries(rate.headers).find(([k]) => k.toLowerCase() === "webhook-allowed-rate")?.[1];
      const limit = allowed === undefined ? null : allowed.trim() === "*" ? -1 : /^\d+$/.test(allowed.trim()) ? Number(allowed.trim()) : null;
      this.#show(r.id, { endpointRateLimit: limit });
    }
    if (r.verification !== sequence) return { status: 0, message: "superseded", requestedRate: null };
    const challengeRequest = randomBytes(16).toString("hex");
    const event: MockCloudEvent = {
      specversion: "1.0",
      id: randomUUID(),
      source: "https://global.api.greenlake.hpe.com/events",
      type: VERIFICATION_TYPE,
      time: iso(this.#clock.now()),
      datacontenttype: "application/json",
      data: { challengeRequest },
    };
    const body = JSON.stringify(event);
    const answer = await this.#send(r, "POST", this.#signed(r, body), body);
    this.#deliveries.push({ webhookId: r.id, kind: "challenge", eventIds: [event.id], attempt, status: answer.status, at: this.#clock.now() });
    const item = this.#webhookItem(r.id);
    const rate = item?.endpointRateLimit;
    const requestedRate = typeof rate === "number" ? rate : null;
    if (r.verification !== sequence) return { status: answer.status, message: "superseded", requestedRate };
    let verification: unknown;
    try {
      verification = (JSON.parse(answer.body) as { verification?: unknown }).verification;
    } catch {
      verification = undefined;
    }
    const expected = [r.secret, r.secondarySecret].filter((s): s is string => s !== undefined).map((s) => hmac(s, challengeRequest));
    if (answer.status === 200 && typeof verification === "string" && expected.includes(verification)) {
      r.verification++;
      for (const cancel of r.timers) cancel();
      r.timers.clear();
      r.verified = true;
      this.#show(r.id, { status: "ACTIVE", stateReason: "" });
      this.#flushLater(r, 0);
      return { status: answer.status, message: "OK", requestedRate };
    }
    const reason =
      answer.status === 0
        ? `Webhook URL unreachable. error: ${answer.error ?? "no answer"}`
        : answer.status === 200
          ? "HMAC validation failed. Please verify webhook secret."
          : `The destination answered the verification challenge with ${answer.status}.`;
    if (attempt >= CHALLENGE_ATTEMPTS_AT_MS.length) this.#show(r.id, { status: answer.status === 0 ? "WARNING" : "DISABLED", stateReason: reason });
    return { status: answer.status, message: reason, requestedRate };
  }

  #verifyNow(request: StateRequest, id: string): StateAnswer | Promise<StateAnswer> {
    const r = this.#registrations.get(id)!;
    const problem = this.#destinationProblem(r.destination);
    if (problem !== undefined) {
      const item = this.#show(id, { status: "WARNING", stateReason: `Webhook URL unreachable. error: ${problem}` });
      return { status: 200, headers: {}, body: { ...item, destinationResponse: { statusCode: 0, message: problem, requestedRate: null } } };
    }
    // The first attempt answers the call; the others follow on the clock if it fails.
    for (const cancel of r.timers) cancel();
    r.timers.clear();
    const sequence = ++r.verification;
    r.challengeEnabled = true;
    this.#show(id, { status: "PENDING", stateReason: "Verification challenge sent to the destination." });
    const first = this.#track(this.#challengeAttempt(r, sequence, 1));
    for (const [attempt, at] of CHALLENGE_ATTEMPTS_AT_MS.entries()) {
      if (attempt === 0) continue;
      this.#later(r, at, () => {
        if (r.verification === sequence) void this.#track(this.#challengeAttempt(r, sequence, attempt + 1));
      });
    }
    return first.then((result) => {
      const item = this.#webhookItem(id) ?? {};
      return { status: 200, headers: {}, body: { ...item, destinationResponse: { statusCode: result.status, message: result.message, requestedRate: result.requestedRate }, endpointRateLimit: item.endpointRateLimit ?? null } };
    });
  }

  // --- subscriptions ---------------------------------------------------------------------------

  #subscribe(request: StateRequest): StateAnswer {
    const entries = Array.isArray(request.body) ? request.body : [];
    const model = this.parts.models.get(SUBSCRIPTIONS);
    const now = iso(this.#clock.now());
    const created: Item[] = [];
    for (const [i, entry] of entries.entries()) {
      if (!isObject(entry) || typeof entry.eventType !== "string" || !isObject(entry.webhook) || typeof entry.webhook.resourceUri !== "string") {
        return { status: 400, headers: {}, body: errorBody(400, `POST ${SUBSCRIPTIONS}: item ${i} needs eventType and webhook.resourceUri.`, [{ subject: `[${i}]`, description: "eventType and webhook.resourceUri are required" }]) };
      }
      const id = randomUUID();
      const uri = entry.webhook.resourceUri;
      const webhookId = decodedSegment(uri.slice(uri.lastIndexOf("/") + 1));
      const base = model === undefined ? {} : this.parts.store.newItem(model, `subscription|${id}`, 0);
      const item: Item = {
        ...base,
        id,
        type: "events/subscription",
        eventType: entry.eventType,
        webhook: { resourceUri: uri },
        resourceUri: `${SUBSCRIPTIONS}/${id}`,
        createdAt: now,
        updatedAt: now,
        generation: 1,
        ...(typeof entry.eventFilter === "string" ? { eventFilter: entry.eventFilter } : {}),
      };
      if (model !== undefined) this.parts.store.insert(model, SUBSCRIPTIONS, item);
      this.#subscriptions.set(id, { webhookId, eventType: entry.eventType });
      created.push(item);
    }
    return { status: 201, headers: {}, body: created };
  }

  #unsubscribe(request: StateRequest): StateAnswer {
    const ids = request.query.getAll("id").flatMap((v) => v.split(",")).filter((v) => v !== "");
    const model = this.parts.models.get(SUBSCRIPTIONS);
    for (const id of ids) {
      this.#subscriptions.delete(id);
      if (model !== undefined) this.parts.store.remove(model, SUBSCRIPTIONS, id);
    }
    return { status: 204, headers: {}, body: undefined };
  }

  // --- events ------------------------------------------------------------------------------------

  #changed(change: StateChange): void {
    if (change.kind === "accepted") {
      // Accepted work lands when its async operation ends: settle the state then, on this clock, so its events follow.
      const cancel = this.#clock.schedule(change.record.durationMs + 1, () => {
        this.#pendingCompletions.delete(cancel);
        this.parts.layer.settle();
      });
      this.#pendingCompletions.add(cancel);
      return;
    }
    if (change.kind === "async-operation") {
      const { record } = change;
      const template = record.request.slice(record.request.indexOf(" ") + 1);
      if (template.startsWith("/events/")) return;
      const [, service, version] = template.split("/");
      this.#publish({
        specversion: "1.0",
        id: randomUUID(),
        source: sourceOf(template),
        type: eventTypeOf(`/${service}/${version}/async-operations`, "updated"),
        time: iso(this.#clock.now()),
        datacontenttype: "application/json",
        subject: record.id,
        data: { id: record.id, status: change.state, sourceResourceUri: record.resourceUri, request: record.request },
      });
      return;
    }
    const { model, item } = change;
    if (model.template.startsWith("/events/")) return;
    const stamp = change.kind === "created" ? item.createdAt : item.updatedAt;
    this.#publish({
      specversion: "1.0",
      id: randomUUID(),
      source: sourceOf(model.template),
      type: eventTypeOf(model.template, change.kind),
      time: typeof stamp === "string" && change.kind !== "deleted" ? stamp : iso(this.#clock.now()),
      datacontenttype: "application/json",
      ...(model.idField !== undefined && item[model.idField] !== undefined ? { subject: String(item[model.idField]) } : {}),
      data: structuredClone(item),
    });
  }

  #publish(event: MockCloudEvent): void {
    const webhookIds = new Set([...this.#subscriptions.values()].filter((s) => s.eventType === event.type).map((s) => s.webhookId));
    for (const id of webhookIds) {
      const r = this.#registrations.get(id);
      if (r === undefined) continue;
      r.queue.push(event);
      if (!this.#sending(r)) continue;
      // A full batch (or a lone event) goes now; a partial batch when its window closes.
      if (!r.batching || r.queue.length >= this.#batchMax) this.#later(r, 0, () => this.#flush(r, false));
      else if (r.flush === undefined) this.#flushLater(r, this.#batchWindow);
    }
  }

  /** Whether deliveries go to `r` now; otherwise they wait in its queue. */
  #sending(r: Registration): boolean {
    const status = this.#webhookItem(r.id)?.status;
    return r.verified && !r.paused && status !== "DISABLED" && status !== "ERROR";
  }

  #flushLater(r: Registration, ms: number): void {
    r.flush?.();
    const cancel = this.#clock.schedule(ms, () => {
      r.timers.delete(cancel);
      r.flush = undefined;
      this.#flush(r, true);
    });
    r.flush = cancel;
    r.timers.add(cancel);
  }

  /** Sends what is queued: every event, or every full batch (and the rest too once the batch window closed). */
  #flush(r: Registration, windowClosed: boolean): void {
    if (!this.#sending(r)) return;
    const size = r.batching ? this.#batchMax : 1;
    while (r.queue.length >= size || (windowClosed && r.queue.length > 0)) {
      void this.#track(this.#deliver(r, r.queue.splice(0, size), r.batching, 1, true));
    }
    if (r.queue.length > 0 && r.flush === undefined) this.#flushLater(r, this.#batchWindow);
  }

  #signed(r: Registration, body: string): Record<string, string> {
    const headers: Record<string, string> = { "content-type": "application/json", "hpe-webhook-signature": `sha256=${hmac(r.secret, body)}` };
    if (r.secondarySecret !== undefined) headers["hpe-webhook-signature2"] = `sha256=${hmac(r.secondarySecret, body)}`;
    return headers;
  }

  /** One attempt; with `retries`, a retried status schedules the next attempt (the event API's retry makes one attempt only). */
  async #deliver(r: Registration, events: readonly MockCloudEvent[], batched: boolean, attempt: number, retries: boolean, record?: DeliveryRecord): Promise<DeliveryRecord> {
    const body = JSON.stringify(batched ? events : events[0]);
    const headers = this.#signed(r, body);
    const answer = await this.#send(r, "POST", headers, body);
    const now = this.#clock.now();
    this.#deliveries.push({ webhookId: r.id, kind: "event", eventIds: events.map((e) => e.id), attempt, status: answer.status, at: now });
    const ok = answer.status === 200;
    const entry: DeliveryRecord = record ?? {
      id: batched ? randomUUID() : events[0]!.id,
      webhookId: r.id,
      events,
      batched,
      createdAt: now,
      updatedAt: now,
      generation: 0,
      status: "FAILURE",
      httpResponseCode: 0,
      requestHeaders: {},
      responseHeaders: {},
      responseBody: "",
      failureId: undefined,
    };
    Object.assign(entry, {
      updatedAt: now,
      generation: entry.generation + 1,
      status: ok ? "SUCCESS" : "FAILURE",
      httpResponseCode: answer.status,
      requestHeaders: headers,
      responseHeaders: answer.headers,
      responseBody: answer.body.slice(0, 4096),
      failureId: ok ? entry.failureId : (entry.failureId ?? randomUUID()),
    });
    if (record === undefined) this.#records.push(entry);
    if (ok) {
      if (this.#webhookItem(r.id)?.status === "WARNING") this.#show(r.id, { status: "ACTIVE", stateReason: "" });
      return entry;
    }
    r.failureTimes = [...r.failureTimes.filter((t) => t > now - CRITICAL_WINDOW_MS), now];
    const retried = answer.status === 0 || RETRIED_STATUSES.has(answer.status) || (answer.status > 200 && answer.status < 300);
    if (!retried) {
      this.#show(r.id, { status: "DISABLED", stateReason: `The destination answered ${answer.status}; GreenLake disables a webhook on that answer.` });
      return entry;
    }
    if (r.failureTimes.length > FAILURES_FOR_CRITICAL) this.#show(r.id, { status: "ERROR", stateReason: `More than ${FAILURES_FOR_CRITICAL} delivery failures in 12 hours.` });
    else this.#show(r.id, { status: "WARNING", stateReason: "Failure in Event Deliveries" });
    const delay = this.#retryDelays[attempt - 1];
    if (delay !== undefined && retries) {
      const retryAfter = Number(Object.entries(answer.headers).find(([k]) => k.toLowerCase() === "retry-after")?.[1]);
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.max(delay, retryAfter * 1000) : delay;
      this.#later(r, wait, () => {
        if (!this.#registrations.has(r.id) || !this.#sending(r)) return;
        void this.#track(this.#deliver(r, events, batched, attempt + 1, true, entry).then(() => undefined));
      });
    }
    return entry;
  }

  #recentDeliveries(request: StateRequest, id: string): StateAnswer {
    const limit = Math.max(1, Math.min(100, Number(request.query.get("limit") ?? 20) || 20));
    const offset = Math.max(0, Number(request.query.get("offset") ?? 0) || 0);
    const all = this.#records.filter((d) => d.webhookId === id).reverse();
    const items = all.slice(offset, offset + limit).map((d) => this.#present(d));
    return { status: 200, headers: {}, body: { items, count: items.length, offset, total: all.length } };
  }

  #present(d: DeliveryRecord): Item {
    const arrays = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [v]]));
    return {
      id: d.id,
      type: "events/deliveryFailure",
      resourceUri: `${WEBHOOKS}/${d.webhookId}`,
      description: d.batched ? `Batch of ${d.events.length} events` : d.events[0]!.type,
      httpResponseCode: d.httpResponseCode,
      createdAt: iso(d.createdAt),
      updatedAt: iso(d.updatedAt),
      generation: d.generation,
      requestHeaders: arrays(d.requestHeaders),
      requestBody: d.batched ? d.events : d.events[0],
      responseHeaders: arrays(d.responseHeaders),
      responseBody: d.responseBody,
      status: d.status,
      retryStatus: d.status === "FAILURE" ? "RETRY" : "NORETRY",
      ...(d.failureId === undefined ? {} : { failureId: d.failureId }),
    };
  }

  #retryFailure(request: StateRequest, id: string, failureId: string): StateAnswer | Promise<StateAnswer> {
    const record = this.#records.find((d) => d.webhookId === id && d.failureId === failureId);
    const r = this.#registrations.get(id);
    if (record === undefined || r === undefined || record.status === "SUCCESS") {
      return { status: 404, headers: {}, body: errorBody(404, `POST ${request.pathname}: webhook ${id} has no failed delivery ${failureId} to retry.`) };
    }
    return this.#track(this.#deliver(r, record.events, record.batched, record.generation + 1, false, record)).then((d) => {
      const shown = this.#present(d);
      return { status: 200, headers: {}, body: { ...shown, requestBody: Array.isArray(shown.requestBody) ? { events: shown.requestBody } : shown.requestBody, requestHeaders: d.requestHeaders, responseHeaders: d.responseHeaders } };
    });
  }

  // --- HTTP ----------------------------------------------------------------------------------------

  /** One request to the destination; status 0 when it failed or did not answer within the answer timeout. */
  #send(r: Registration, method: string, headers: Record<string, string>, body: string | undefined): Promise<Answer> {
    return new Promise((resolve) => {
      // Checked at each request too, so no path (retry, re-pointed webhook) reaches a destination not allowed.
      const problem = this.#destinationProblem(r.destination);
      if (problem !== undefined) {
        resolve({ status: 0, headers: {}, body: "", error: problem });
        return;
      }
      const url = new URL(r.destination);
      let done = false;
      const finish = (answer: Answer) => {
        if (done) return;
        done = true;
        cancelTimeout();
        resolve(answer);
      };
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const outgoing = send(url, { method, headers: { ...headers, ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }) } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size <= 65_536) chunks.push(c);
        });
        res.on("end", () => {
          const answerHeaders: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) answerHeaders[k] = Array.isArray(v) ? v.join(", ") : v;
          finish({ status: res.statusCode ?? 0, headers: answerHeaders, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", (error) => finish({ status: 0, headers: {}, body: "", error: error.message }));
      });
      // Real time, not the delivery clock: a destination that never answers must not hold settled() forever.
      const timer = setTimeout(() => outgoing.destroy(new Error(`no answer within ${this.#answerTimeout} ms`)), this.#answerTimeout);
      const cancelTimeout = () => clearTimeout(timer);
      outgoing.on("error", (error) => finish({ status: 0, headers: {}, body: "", error: error.message }));
      outgoing.end(body);
    });
  }
}

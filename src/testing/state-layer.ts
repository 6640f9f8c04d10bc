/**
 * The stateful answer to a request Prism accepted, where the mocks own the
 * route: lists page over the store, creates add to it (201 + Location, or
 * 202 + an async operation), reads, updates and deletes act on it, batch and
 * bulk report per item. Returns undefined for routes it does not own, so
 * Prism's own answer passes through.
 */
import { randomUUID } from "node:crypto";
import type { OperationMetadata } from "../metadata.js";
import { asyncState, jobState, retryAfterUntil, type AsyncRecord, type AsyncSettings } from "./async-work.js";
import type { CollectionModel } from "./collections.js";
import { errorBody } from "./error-body.js";
import { fakeValue, Random } from "./fake-data.js";
import { deviceItem, devicePatch, devicesOfPost, inventoryKind, mergeTags, queryIds } from "./inventory-effects.js";
import { encodeCursor, listPage } from "./listing.js";
import type { DocumentSchemas, Schema } from "./schemas.js";
import { pathKey, type Item, type StateStore } from "./state-store.js";

export interface StateAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export interface StateRequest {
  readonly method: string;
  /** The matched operation: its document and path template. */
  readonly operation: Pick<OperationMetadata, "document" | "path">;
  /** Path as requested (percent-encoded). */
  readonly pathname: string;
  readonly query: URLSearchParams;
  /** Parsed JSON body, if any. */
  readonly body: unknown;
  /** Workspace the caller acts in (its token's, or the MSP tenant it names); the main workspace when absent. */
  readonly workspaceId?: string | undefined;
}

/** What changed in the state, for listeners (webhook delivery, assertions). */
export type StateChange =
  | { readonly kind: "created" | "updated" | "deleted"; readonly collection: string; readonly model: CollectionModel; readonly item: Item; readonly workspaceId?: string | undefined }
  /** A 202 answer started `record`; its effect lands when `settle()` runs after it ended. */
  | { readonly kind: "accepted"; readonly record: AsyncRecord }
  | { readonly kind: "async-operation"; readonly record: AsyncRecord; readonly state: "SUCCEEDED" | "FAILED" };

export type StateListener = (change: StateChange) => void;

export interface StateLayerOptions {
  readonly models: ReadonlyMap<string, CollectionModel>;
  readonly store: StateStore;
  readonly schemasOf: (document: string) => DocumentSchemas | undefined;
  /** Async-operation item templates, by document key. */
  readonly asyncTemplates: ReadonlyMap<string, string>;
  readonly settings: AsyncSettings;
  /** Answer reads of ids never seen with a generated item (for suites that send documented example ids). */
  readonly generateUnknownItems: boolean;
  readonly now?: () => number;
  /** Every operation served, so the layer owns each one that answers 202 (its async operation and effect). */
  readonly operations?: readonly Pick<OperationMetadata, "method" | "path" | "document">[];
  /** Every async-operation path template of every document (`/devices/v1/async-operations/{id}`), to pick each 202's Location. */
  readonly asyncPaths?: readonly string[];
  /** Tenant workspaces held at once (default 64); the least recently used one beyond is forgotten, so memory stays bounded. */
  readonly maxTenants?: number;
}

/** An accepted request's effect on the state, applied once its async operation succeeds. */
type Effect = () => string[] | void;

/** A pending effect and the workspace's store it acts on. */
interface Pending {
  readonly effect: Effect | undefined;
  readonly store: StateStore;
}

const isObject = (v: unknown): v is Item => typeof v === "object" && v !== null && !Array.isArray(v);
const nowIso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function parentOf(pathname: string): string {
  return pathname.slice(0, pathname.lastIndexOf("/"));
}

function lastSegment(pathname: string): string {
  const raw = pathname.slice(pathname.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function propertiesOf(schemas: DocumentSchemas, schema: Schema | undefined): Record<string, unknown> {
  if (schema === undefined) return {};
  const props = schemas.flatten(schema).properties;
  return isObject(props) ? props : {};
}

/** Fields the server keeps (id, timestamps, generation): a client's update never sets them, as GreenLake ignores them. */
const SERVER_FIELDS = ["createdAt", "updatedAt", "generation"];
function withoutServerFields(patch: Item, model: CollectionModel): Item {
  for (const key of [...SERVER_FIELDS, ...(model.idField === undefined ? [] : [model.idField])]) delete patch[key];
  return patch;
}

/** Keeps the body's fields the item schema declares (deeply for objects the item already has). */
function overlay(item: Item, body: unknown, declared: Record<string, unknown>): Item {
  if (!isObject(body)) return item;
  const out: Item = { ...item };
  for (const [k, v] of Object.entries(body)) {
    if (declared[k] === undefined) continue;
    out[k] = isObject(v) && isObject(out[k]) ? { ...(out[k] as Item), ...v } : v;
  }
  return out;
}

export class StateLayer {
  readonly #async = new Map<string, AsyncRecord>();
  /** Creation times of Compute Ops Management jobs, by item path. */
  readonly #jobs = new Map<string, { createdAt: number; durationMs: number; outcome: AsyncSettings["jobOutcome"] }>();
  readonly #itemModels = new Map<string, CollectionModel>();
  /** `method template` of every operation whose success answer is 202. */
  readonly #acceptedOps = new Set<string>();
  /** Effects of accepted requests whose async operation has not ended yet, by async-operation path. */
  readonly #pending = new Map<string, Pending>();
  /** Tenant workspaces' stores, by workspace id, least recently used first; each seeds its collections on first use. */
  readonly #tenants = new Map<string, StateStore>();
  /** The store of the workspace the request being answered (or the effect being applied) acts in. */
  #store: StateStore;
  readonly #listeners = new Set<StateListener>();
  #created = 0;
  readonly #now: () => number;

  constructor(private readonly options: StateLayerOptions) {
    for (const model of options.models.values()) if (model.itemTemplate !== undefined) this.#itemModels.set(model.itemTemplate, model);
    this.#now = options.now ?? Date.now;
    this.#store = options.store;
    for (const op of options.operations ?? []) {
      if (options.schemasOf(op.document)?.operation(op.method, op.path)?.successStatus === 202) this.#acceptedOps.add(`${op.method.toLowerCase()} ${op.path}`);
    }
  }

  reset(): void {
    this.#async.clear();
    this.#jobs.clear();
    this.#pending.clear();
    this.#tenants.clear();
    this.#created = 0;
  }

  /**
   * The store of workspace `workspaceId`: the main store for the main workspace (or none named),
   * else the tenant's own, created empty on first use and seeded collection by collection.
   */
  workspace(workspaceId?: string): StateStore {
    const main = this.options.store;
    if (workspaceId === undefined || workspaceId === main.workspaceId) return main;
    let store = this.#tenants.get(workspaceId);
    if (store !== undefined) {
      this.#tenants.delete(workspaceId);
    } else {
      store = main.forTenant(workspaceId);
      const max = Math.max(1, this.options.maxTenants ?? 64);
      while (this.#tenants.size >= max) this.#tenants.delete(this.#tenants.keys().next().value!);
    }
    this.#tenants.set(workspaceId, store);
    return store;
  }

  /** Runs `work` against `store`'s workspace. */
  #within<T>(store: StateStore, work: () => T): T {
    const previous = this.#store;
    this.#store = store;
    try {
      return work();
    } finally {
      this.#store = previous;
    }
  }

  /**
   * Calls `listener` after each change: an item created, updated or deleted through the API
   * (or by an async operation's effect), and an async operation that ended. Returns the remover.
   */
  onChange(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: StateChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own; the mocks' answer stands.
      }
    }
  }

  /** Applies the effects of async operations that have ended by now (succeeded ones only). */
  settle(): void {
    const now = this.#now();
    for (const [key, { effect, store }] of [...this.#pending]) {
      const record = this.#async.get(key);
      if (record === undefined) {
        this.#pending.delete(key);
        continue;
      }
      const { state } = asyncState(record, now);
      if (state !== "SUCCEEDED" && state !== "FAILED") continue;
      this.#pending.delete(key);
      if (state === "SUCCEEDED" && effect !== undefined) {
        const uris = this.#within(store, effect);
        if (Array.isArray(uris) && uris.length > 0) this.#async.set(key, { ...record, resultUris: uris });
      }
      this.#emit({ kind: "async-operation", record: this.#async.get(key)!, state });
    }
  }

  #insert(model: CollectionModel, collectionPath: string, item: Item): void {
    this.#store.insert(model, collectionPath, item);
    this.#emit({ kind: "created", collection: pathKey(collectionPath), model, item: structuredClone(item), workspaceId: this.#store.workspaceId });
  }

  #update(model: CollectionModel, collectionPath: string, id: string, patch: Item, replace: boolean): Item | undefined {
    const updated = this.#store.update(model, collectionPath, id, patch, replace, nowIso(this.#now()));
    if (updated !== undefined) this.#emit({ kind: "updated", collection: pathKey(collectionPath), model, item: structuredClone(updated), workspaceId: this.#store.workspaceId });
    return updated;
  }

  #remove(model: CollectionModel, collectionPath: string, id: string): boolean {
    const item = this.#store.find(model, collectionPath, id);
    const removed = this.#store.remove(model, collectionPath, id);
    if (removed && item !== undefined) this.#emit({ kind: "deleted", collection: pathKey(collectionPath), model, item: structuredClone(item), workspaceId: this.#store.workspaceId });
    return removed;
  }

  /** Async operations started so far. */
  get asyncOperations(): readonly AsyncRecord[] {
    return [...this.#async.values()];
  }

  /** Whether the state layer answers this operation (Prism's answer is discarded then). */
  owns(method: string, template: string): boolean {
    const m = method.toLowerCase();
    const model = this.options.models.get(template);
    if (model !== undefined && ((m === "get" && model.listed) || m === "post")) return true;
    if (this.#itemModels.has(template) && ["get", "put", "patch", "delete"].includes(m)) return model === undefined || m !== "get" || this.#itemModels.get(template)!.idField !== undefined;
    const parent = template.slice(0, template.lastIndexOf("/"));
    const last = template.slice(template.lastIndexOf("/") + 1);
    if (!last.startsWith("{") && this.options.models.has(parent) && (last === "batch" || last === "bulk")) return true;
    if (!last.startsWith("{") && m === "post" && this.#itemModels.get(parent)?.idField !== undefined) return true;
    if (m === "get" && /\/async-operations\/\{[^}]+\}$/.test(template)) return true;
    if (this.#acceptedOps.has(`${m} ${template}`)) return true;
    // A sub-resource answers 404 with its parent.
    if (this.#ancestorTemplates(template).length > 0) return true;
    return false;
  }

  /** Item templates above `template` (`/servers/{id}` above `/servers/{id}/inventory`), nearest last. */
  #ancestorTemplates(template: string): string[] {
    const segments = template.split("/");
    const out: string[] = [];
    for (let n = 2; n < segments.length; n++) {
      const prefix = segments.slice(0, n).join("/");
      if (prefix !== template && this.#itemModels.get(prefix)?.idField !== undefined) out.push(prefix);
    }
    return out;
  }

  /** The first ancestor item of the request that does not exist, as a 404; undefined when all exist. */
  #missingAncestor(request: StateRequest): StateAnswer | undefined {
    if (this.options.generateUnknownItems) return undefined;
    const segments = request.pathname.split("/");
    for (const template of this.#ancestorTemplates(request.operation.path)) {
      const depth = template.split("/").length;
      const itemPath = segments.slice(0, depth).join("/");
      const model = this.#itemModels.get(template)!;
      const id = lastSegment(itemPath);
      if (this.#store.find(model, parentOf(itemPath), id) === undefined) return this.#notFound(request, id);
    }
    return undefined;
  }

  handle(request: StateRequest): StateAnswer | undefined {
    this.settle();
    return this.#within(this.workspace(request.workspaceId), () => this.#answer(request));
  }

  #answer(request: StateRequest): StateAnswer | undefined {
    const m = request.method.toLowerCase();
    const template = request.operation.path;
    if (m === "get") {
      const record = this.#async.get(pathKey(request.pathname));
      if (record !== undefined) return this.#asyncResource(request, record);
    }
    const orphan = this.#missingAncestor(request);
    if (orphan !== undefined) return orphan;
    const model = this.options.models.get(template);
    if (model !== undefined && (m === "patch" || m === "delete") && inventoryKind(template) !== undefined) return this.#inventoryChange(request, model);
    if (model !== undefined) {
      if (m === "get" && model.listed) return this.#list(request, model);
      if (m === "post") return this.#create(request, model);
    }
    const itemModel = this.#itemModels.get(template);
    if (itemModel !== undefined && itemModel.idField !== undefined) return this.#item(request, itemModel);
    const parent = template.slice(0, template.lastIndexOf("/"));
    const last = template.slice(template.lastIndexOf("/") + 1);
    const collection = this.options.models.get(parent);
    if (collection !== undefined && (last === "batch" || last === "bulk")) return this.#batch(request, collection, last);
    const owner = this.#itemModels.get(parent);
    if (owner !== undefined && owner.idField !== undefined && m === "post" && !last.startsWith("{")) return this.#action(request, owner);
    // Any other accepted request still gets its own async operation.
    if (this.#acceptedOps.has(`${m} ${template}`)) return this.#accepted(request, request.pathname, new Random(`accepted|${pathKey(request.pathname)}|${this.#created++}`));
    return undefined;
  }

  #success(request: StateRequest): { status: number; schema: Schema | undefined; schemas: DocumentSchemas | undefined } {
    const schemas = this.options.schemasOf(request.operation.document);
    const op = schemas?.operation(request.method.toLowerCase(), request.operation.path);
    return { status: op?.successStatus ?? 200, schema: op?.successSchema, schemas };
  }

  /** The success body: generated from the response schema, with the item's values where the schema has them. */
  #responseFor(request: StateRequest, item: Item | undefined, random: Random): unknown {
    const { schema, schemas } = this.#success(request);
    if (schema === undefined || schemas === undefined) return undefined;
    const props = propertiesOf(schemas, schema);
    if (Object.keys(props).length === 0) return item ?? fakeValue(schemas, schema, "", { random, index: 0 });
    const base = fakeValue(schemas, schema, "", { random, index: 0 }) as Item;
    if (item === undefined) return base;
    for (const key of Object.keys(props)) if (item[key] !== undefined) base[key] = item[key];
    return base;
  }

  #requestSchema(request: StateRequest): Schema | undefined {
    return this.options.schemasOf(request.operation.document)?.operation(request.method.toLowerCase(), request.operation.path)?.requestSchema;
  }

  #notFound(request: StateRequest, id: string): StateAnswer {
    return { status: 404, headers: {}, body: errorBody(404, `${request.method.toUpperCase()} ${request.pathname}: no item with id "${id}" exists (never created, or deleted).`) };
  }

  #list(request: StateRequest, model: CollectionModel): StateAnswer {
    const items = this.#store.items(model, request.pathname).map((item) => this.#present(model, request.pathname, item));
    const { schema, schemas } = this.#success(request);
    const declared = schemas?.operation("get", model.template)?.queryParams ?? new Set<string>();
    const responseFields = new Set(Object.keys(schemas === undefined ? {} : propertiesOf(schemas, schema)));
    const result = listPage(items, { query: request.query, pagination: model.pagination, declared, responseFields });
    if (!result.ok) {
      return { status: result.status, headers: {}, body: errorBody(result.status, `GET ${request.pathname}: ${result.message}`, [{ subject: `query.${result.field}`, description: result.message }], result.errorCode) };
    }
    let body: Item = result.body;
    if (schema !== undefined && schemas !== undefined) {
      // Fields the list response requires besides the page (generated once per answer, small: 1-2 items).
      const base = fakeValue(schemas, schema, "", { random: new Random(model.template), index: 0 });
      if (isObject(base)) {
        const itemsField = model.pagination?.itemsField ?? "items";
        const nextField = model.pagination?.nextField;
        delete base[itemsField];
        if (nextField !== undefined) delete base[nextField];
        body = { ...base, ...result.body };
        // The last page has no cursor. A document that requires one gets null where allowed, else a
        // cursor to the end of the collection, whose page is empty (as a real cursor API answers).
        const required = schemas.flatten(schema).required;
        if (nextField !== undefined && body[nextField] === undefined && Array.isArray(required) && required.includes(nextField)) {
          const next = schemas.property(schema, nextField);
          const nullable = next?.nullable === true || (Array.isArray(next?.type) && next.type.includes("null"));
          body[nextField] = nullable ? null : encodeCursor(0xffff_ffff_ffff);
        }
      }
    }
    return { status: 200, headers: {}, body };
  }

  /** An item as read: Compute Ops Management jobs show the state they have reached. */
  #present(model: CollectionModel, collectionPath: string, item: Item): Item {
    const job = this.#jobs.get(`${pathKey(collectionPath)}/${String(item[model.idField ?? "id"])}`);
    if (job === undefined) return item;
    return { ...item, state: jobState(job.createdAt, job.durationMs, job.outcome, this.#now()) };
  }

  /** A running Compute Ops Management job says when to look again: `Retry-After`, the seconds it has left. */
  #pollHeaders(model: CollectionModel, collectionPath: string, item: Item): Record<string, string> {
    const job = this.#jobs.get(`${pathKey(collectionPath)}/${String(item[model.idField ?? "id"])}`);
    return job === undefined ? {} : retryAfterUntil(job.createdAt + job.durationMs, this.#now());
  }

  #create(request: StateRequest, model: CollectionModel): StateAnswer {
    const store = this.#store;
    if (inventoryKind(model.template) === "devices" && this.#success(request).status === 202) return this.#addDevices(request, model);
    const conflict = this.#conflict(request, model);
    if (conflict !== undefined) return conflict;
    const index = this.#created++;
    const random = new Random(`created|${model.template}|${index}`);
    let item = store.newItem(model, `created|${pathKey(request.pathname)}|${index}`, index);
    const declared = propertiesOf(model.schemas, model.itemSchema);
    const body = isObject(request.body) ? request.body : {};
    // What the caller could have sent but did not stays unset; what only the server assigns is generated.
    const requestSchema = this.#requestSchema(request);
    const sendable = requestSchema === undefined ? {} : model.schemas.allProperties(requestSchema);
    const required = new Set(Array.isArray(model.schemas.flatten(model.itemSchema).required) ? (model.schemas.flatten(model.itemSchema).required as string[]) : []);
    for (const key of Object.keys(sendable)) if (body[key] === undefined && !required.has(key) && key !== model.idField) delete item[key];
    item = overlay(item, request.body, declared);
    // The item belongs to the workspace that created it, whatever the body said.
    store.claim(model, item, false);
    // A new user has not verified their invitation yet.
    const statusEnum = declared.userStatus === undefined ? undefined : model.schemas.flatten(declared.userStatus).enum;
    if (Array.isArray(statusEnum) && statusEnum.includes("UNVERIFIED")) item.userStatus = "UNVERIFIED";
    // An invitation names the user by email; GreenLake lists them by username.
    if (typeof body.email === "string") {
      if (declared.username !== undefined) item.username = body.email;
      if (declared.email !== undefined) item.email = body.email;
    }
    const now = this.#now();
    // Expiry dates of something just created lie ahead.
    for (const key of Object.keys(declared)) if (/^expir(es|y|ation)(At|Date|Time)?$/i.test(key) && typeof item[key] === "string" && body[key] === undefined) item[key] = nowIso(now + 24 * 3600_000);
    if (declared.createdAt !== undefined) item.createdAt = nowIso(now);
    if (declared.updatedAt !== undefined) item.updatedAt = nowIso(now);
    if (declared.generation !== undefined) item.generation = 1;
    // The service assigns ids, unless the request must name one (and it is not taken).
    const requestRequired = requestSchema === undefined ? [] : model.schemas.flatten(requestSchema).required;
    const idFormat = model.idField === undefined ? undefined : model.schemas.property(model.itemSchema, model.idField)?.format;
    const fitsFormat = (v: unknown) => idFormat !== "uuid" || (typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));
    const clientNamed = model.idField !== undefined && Array.isArray(requestRequired) && requestRequired.includes(model.idField) && fitsFormat(body[model.idField]);
    if (model.idField !== undefined && (!clientNamed || body[model.idField] === undefined || store.find(model, request.pathname, String(body[model.idField])) !== undefined)) {
      item[model.idField] = model.document === "compute-ops-mgmt" && model.template.endsWith("/servers") ? String(item[model.idField]) : randomUUID();
    }
    const itemPath = model.idField === undefined ? undefined : `${request.pathname}/${encodeURIComponent(String(item[model.idField]))}`;
    if (model.document === "compute-ops-mgmt" && model.template.endsWith("/jobs") && itemPath !== undefined) {
      this.#jobs.set(pathKey(itemPath), { createdAt: now, durationMs: this.options.settings.durationMs, outcome: this.options.settings.jobOutcome });
      if (declared.state !== undefined) item.state = "RUNNING";
    }
    const uriFormat = declared.resourceUri === undefined ? undefined : model.schemas.flatten(declared.resourceUri);
    if (uriFormat !== undefined && itemPath !== undefined && typeof item.resourceUri === "string" && uriFormat.const === undefined && !/^(uri|url)$/i.test(String(uriFormat.format ?? ""))) item.resourceUri = pathKey(itemPath);
    const { status } = this.#success(request);
    // Accepted work exists once its async operation succeeds.
    if (status === 202) return this.#accepted(request, itemPath, random, () => this.#insert(model, request.pathname, item));
    this.#insert(model, request.pathname, item);
    const shown = this.#present(model, request.pathname, item);
    const headers: Record<string, string> = itemPath === undefined ? {} : { location: itemPath };
    return { status, headers, body: this.#responseFor(request, shown, random) };
  }

  /**
   * 409 for a create that repeats what the collection already holds, where the document declares
   * 409: the same email or username (a second invite), or the same name.
   */
  #conflict(request: StateRequest, model: CollectionModel): StateAnswer | undefined {
    const paths = model.schemas.document.paths as Record<string, Record<string, { responses?: Record<string, unknown> }>> | undefined;
    if (paths?.[request.operation.path]?.[request.method.toLowerCase()]?.responses?.["409"] === undefined) return undefined;
    if (!isObject(request.body)) return undefined;
    const body = request.body;
    const existing = this.#store.items(model, request.pathname);
    for (const field of ["email", "username", "name", "serialNumber"]) {
      const value = body[field];
      if (typeof value !== "string" || value === "") continue;
      const same = (item: Item) => [item[field], field === "email" ? item.username : undefined].some((v) => typeof v === "string" && v.toLowerCase() === value.toLowerCase());
      if (existing.some(same)) {
        return { status: 409, headers: {}, body: errorBody(409, `${request.method.toUpperCase()} ${request.pathname}: an item with ${field} "${value}" already exists.`, [{ subject: field, description: "already exists" }], "HPE_GL_ERROR_CONFLICT") };
      }
    }
    return undefined;
  }

  /** `POST /devices/.../devices`: each device named joins the inventory once the async operation succeeds. */
  #addDevices(request: StateRequest, model: CollectionModel): StateAnswer {
    const random = new Random(`devices|${pathKey(request.pathname)}|${this.#created++}`);
    const devices = devicesOfPost(request.body);
    const collectionPath = request.pathname;
    return this.#accepted(request, collectionPath, random, () => {
      const uris: string[] = [];
      const now = nowIso(this.#now());
      const existing = this.#store.items(model, collectionPath);
      for (const device of devices) {
        // Adding a device already in the inventory changes nothing.
        if (existing.some((d) => d.serialNumber === device.serialNumber)) continue;
        const base = this.#store.newItem(model, `device|${device.serialNumber}`, existing.length, collectionPath);
        const item = deviceItem(base, device, now);
        if (typeof item.resourceUri === "string") item.resourceUri = `${pathKey(collectionPath)}/${String(item.id)}`;
        this.#insert(model, collectionPath, item);
        uris.push(`${pathKey(collectionPath)}/${String(item.id)}`);
      }
      return uris;
    });
  }

  /**
   * `PATCH /devices/.../devices?id=...` (application, region, subscriptions) and
   * `PATCH /subscriptions/.../subscriptions?id=...` (tags): the named items change once the
   * async operation succeeds. Ids may come repeated or comma-joined; unknown ones are a 404.
   */
  #inventoryChange(request: StateRequest, model: CollectionModel): StateAnswer {
    const collectionPath = request.pathname;
    const ids = queryIds(request.query);
    const missing = ids.filter((id) => this.#store.find(model, collectionPath, id) === undefined);
    if (missing.length > 0) return this.#notFound(request, missing.join(","));
    const random = new Random(`inventory|${pathKey(request.pathname)}|${this.#created++}`);
    const kind = inventoryKind(model.template);
    const body = request.body;
    const subscriptions = this.#subscriptionsFor(collectionPath);
    const dryRun = request.query.get("dry-run") === "true";
    return this.#accepted(request, collectionPath, random, () => {
      if (dryRun) return [];
      const uris: string[] = [];
      for (const id of ids) {
        const current = this.#store.find(model, collectionPath, id);
        if (current === undefined) continue;
        let patch: Item;
        if (request.method.toLowerCase() === "delete") {
          this.#remove(model, collectionPath, id);
          continue;
        }
        if (kind === "devices") patch = devicePatch(body, subscriptions, (app) => `/service-catalog/v1beta1/service-managers/${app}`);
        else patch = {};
        if (isObject(body) && body.tags !== undefined) patch.tags = mergeTags(current.tags, body.tags);
        this.#update(model, collectionPath, id, patch, true);
        uris.push(`${pathKey(collectionPath)}/${id}`);
      }
      return uris;
    });
  }

  /** Looks a subscription up by id in the subscriptions collection of the same service family, when it is served. */
  #subscriptionsFor(devicesPath: string): (id: string) => Item | undefined {
    void devicesPath;
    const model = this.options.models.get("/subscriptions/v1/subscriptions");
    if (model === undefined) return () => undefined;
    return (id) => this.#store.find(model, "/subscriptions/v1/subscriptions", id);
  }

  #item(request: StateRequest, model: CollectionModel): StateAnswer {
    const store = this.#store;
    const m = request.method.toLowerCase();
    const collectionPath = parentOf(request.pathname);
    const id = lastSegment(request.pathname);
    let item = store.find(model, collectionPath, id);
    if (item === undefined && this.options.generateUnknownItems && !store.wasDeleted(collectionPath, id)) {
      item = store.newItem(model, `unknown|${pathKey(request.pathname)}`, 0);
      item[model.idField!] = id;
      store.insert(model, collectionPath, item, true);
    }
    if (item === undefined) return this.#notFound(request, id);
    const random = new Random(`item|${pathKey(request.pathname)}|${m}`);
    const { status } = this.#success(request);
    if (m === "get") return { status, headers: this.#pollHeaders(model, collectionPath, item), body: this.#responseFor(request, this.#present(model, collectionPath, item), random) };
    if (m === "delete") {
      if (status === 202) return this.#accepted(request, request.pathname, random, () => void this.#remove(model, collectionPath, id));
      this.#remove(model, collectionPath, id);
      return { status, headers: {}, body: status === 204 ? undefined : this.#responseFor(request, item, random) };
    }
    const declared = propertiesOf(model.schemas, model.itemSchema);
    const patch = withoutServerFields(overlay({}, request.body, declared), model);
    if (status === 202) return this.#accepted(request, request.pathname, random, () => void this.#update(model, collectionPath, id, patch, m === "put"));
    const updated = this.#update(model, collectionPath, id, patch, m === "put") ?? item;
    return { status, headers: {}, body: status === 204 ? undefined : this.#responseFor(request, this.#present(model, collectionPath, updated), random) };
  }

  /** `POST /x/{id}/reset` and the like: the item must exist; its generation moves on. */
  #action(request: StateRequest, model: CollectionModel): StateAnswer {
    const store = this.#store;
    const itemPath = parentOf(request.pathname);
    const collectionPath = parentOf(itemPath);
    const id = lastSegment(itemPath);
    let item = store.find(model, collectionPath, id);
    if (item === undefined && this.options.generateUnknownItems && !store.wasDeleted(collectionPath, id)) {
      item = store.newItem(model, `unknown|${pathKey(itemPath)}`, 0);
      item[model.idField!] = id;
      store.insert(model, collectionPath, item, true);
    }
    if (item === undefined) return this.#notFound(request, id);
    const random = new Random(`action|${pathKey(request.pathname)}|${this.#created++}`);
    const { status } = this.#success(request);
    if (status === 202) return this.#accepted(request, itemPath, random, () => void this.#update(model, collectionPath, id, {}, false));
    const updated = this.#update(model, collectionPath, id, {}, false) ?? item;
    return { status, headers: {}, body: status === 204 ? undefined : this.#responseFor(request, updated, random) };
  }

  /** Scope-group style batch create (`.../batch`) and bulk delete (`.../bulk`), each item reported. */
  #batch(request: StateRequest, model: CollectionModel, kind: "batch" | "bulk"): StateAnswer {
    const store = this.#store;
    const collectionPath = parentOf(request.pathname);
    const body = isObject(request.body) ? request.body : {};
    const entries = Array.isArray(body.items) ? body.items : [];
    const successes: unknown[] = [];
    const errors: unknown[] = [];
    const m = request.method.toLowerCase();
    const removing = m === "delete" || (kind === "bulk" && m !== "post" && m !== "put");
    const declared = propertiesOf(model.schemas, model.itemSchema);
    entries.forEach((entry, i) => {
      if (removing) {
        const id = isObject(entry) && model.idField !== undefined ? String(entry[model.idField] ?? entry.id ?? "") : "";
        if (id !== "" && store.find(model, collectionPath, id) !== undefined) {
          this.#remove(model, collectionPath, id);
          successes.push(isObject(entry) ? entry : { id });
        } else {
          errors.push({ ...errorBody(404, `Item ${i} (id "${id}") is not in ${collectionPath}.`, [{ subject: `items[${i}].id`, description: "no such item" }]), id });
        }
        return;
      }
      const existing = store.items(model, collectionPath);
      const duplicate = isObject(entry) && existing.some((e) => Object.entries(entry).every(([k, v]) => k === "description" || JSON.stringify(e[k]) === JSON.stringify(v)));
      if (!isObject(entry) || duplicate) {
        const message = duplicate ? `Item ${i} already exists in ${collectionPath}.` : `Item ${i} is not an object.`;
        errors.push(errorBody(duplicate ? 409 : 400, message, [{ subject: `items[${i}]`, description: duplicate ? "already exists" : "must be an object" }], duplicate ? "HPE_GL_ERROR_CONFLICT" : undefined));
        return;
      }
      let item = overlay(store.newItem(model, `batch|${pathKey(collectionPath)}|${this.#created}`, this.#created++), entry, declared);
      if (model.idField !== undefined) item = { ...item, [model.idField]: randomUUID() };
      store.claim(model, item, false);
      this.#insert(model, collectionPath, item);
      successes.push(item);
    });
    const { status } = this.#success(request);
    return { status, headers: {}, body: { successCount: successes.length, errorCount: errors.length, successes, errors } };
  }

  /** The async-operation template a 202 of `request` points to: its own API's, in the nearest version, else its document's, else Data Services'. */
  #asyncTemplate(request: StateRequest): string | undefined {
    const path = request.operation.path;
    const root = path.split("/")[1];
    const common = (a: string) => {
      let n = 0;
      while (n < a.length && a[n] === path[n]) n++;
      return n;
    };
    const own = (this.options.asyncPaths ?? []).filter((p) => p.split("/")[1] === root).sort((a, b) => common(b) - common(a))[0];
    return own ?? this.options.asyncTemplates.get(request.operation.document) ?? this.options.asyncTemplates.get("data-services") ?? (this.options.asyncPaths ?? []).find((p) => p.startsWith("/data-services/"));
  }

  #accepted(request: StateRequest, resourceUri: string | undefined, random: Random, effect?: Effect): StateAnswer {
    const template = this.#asyncTemplate(request);
    const id = randomUUID();
    const base = this.#responseFor(request, undefined, random);
    // The answer names this operation: its id wherever the body has one (`transactionId`, `taskUri`, ...).
    const location = template?.replace(/\{[^}]+\}$/, id);
    const body = isObject(base) ? { ...base } : base;
    if (isObject(body)) {
      for (const key of ["transactionId", "id", "taskId"]) if (key in body) body[key] = id;
      for (const key of ["taskUri", "location", "asyncOperationUri"]) if (key in body && location !== undefined) body[key] = location;
      if ("code" in body) body.code = 202;
      if (typeof body.status === "string" && /^\d{3} /.test(body.status)) body.status = "202 ACCEPTED";
    }
    if (template === undefined || location === undefined) {
      effect?.();
      return { status: 202, headers: resourceUri === undefined ? {} : { location: resourceUri }, body };
    }
    const { settings } = this.options;
    const key = pathKey(location);
    this.#async.set(key, {
      id,
      createdAt: this.#now(),
      durationMs: settings.durationMs,
      outcome: settings.outcome,
      request: `${request.method.toUpperCase()} ${request.operation.path}`,
      resourceUri: resourceUri === undefined ? undefined : pathKey(resourceUri),
    });
    this.#pending.set(key, { effect, store: this.#store });
    this.#emit({ kind: "accepted", record: this.#async.get(key)! });
    return { status: 202, headers: { location }, body };
  }

  #asyncResource(request: StateRequest, record: AsyncRecord): StateAnswer {
    const { schema, schemas } = this.#success(request);
    const random = new Random(`async|${record.id}`);
    const base = (schema !== undefined && schemas !== undefined ? fakeValue(schemas, schema, "", { random, index: 0 }) : {}) as Item;
    const props = schemas === undefined ? {} : propertiesOf(schemas, schema);
    const now = this.#now();
    const { state, progressPercent } = asyncState(record, now);
    const ended = state === "SUCCEEDED" || state === "FAILED";
    const out: Item = { ...base, id: record.id };
    if (props.state !== undefined) out.state = state;
    if (props.status !== undefined || props.state === undefined) out.status = state;
    if (props.progressPercent !== undefined) out.progressPercent = progressPercent;
    // Poll again when the operation will have ended (the documents type the field a number of seconds, not an
    // integer): a client that follows the suggestion sees the end one poll later, not at its own default interval.
    if (props.suggestedPollingIntervalSeconds !== undefined) out.suggestedPollingIntervalSeconds = ended ? 0 : Math.max(1, Math.ceil(record.createdAt + record.durationMs - now)) / 1000;
    if (props.sourceResourceUri !== undefined && record.resourceUri !== undefined) out.sourceResourceUri = record.resourceUri;
    if (props.resourceUri !== undefined) out.resourceUri = pathKey(request.pathname);
    if (props.startedAt !== undefined) out.startedAt = nowIso(record.createdAt);
    if (props.createdAt !== undefined) out.createdAt = nowIso(record.createdAt);
    if (props.updatedAt !== undefined) out.updatedAt = nowIso(Math.min(now, record.createdAt + record.durationMs));
    if (props.endedAt !== undefined) {
      if (ended) out.endedAt = nowIso(record.createdAt + record.durationMs);
      else delete out.endedAt;
    }
    // Where the work's result lives, once there is one: what it created or changed.
    const uris = state === "SUCCEEDED" ? (record.resultUris ?? (record.resourceUri === undefined ? [] : [record.resourceUri])) : [];
    if (props.result !== undefined) {
      // Device work reports device ids, as HPE Aruba's onboarding workflow reads them (succeededDevices, failedDevices).
      const devices = / \/devices\//.test(record.request);
      const ids = uris.map((uri) => uri.slice(uri.lastIndexOf("/") + 1));
      out.result = !ended ? {} : devices ? { succeededDevices: state === "SUCCEEDED" ? ids : [], failedDevices: state === "FAILED" ? ids : [] } : { [state === "SUCCEEDED" ? "succeeded" : "failed"]: uris.map((uri) => ({ resourceUri: uri })) };
    }
    if (props.resultType !== undefined) out.resultType = ended ? state : "PENDING";
    if (props.error !== undefined && state !== "FAILED") delete out.error;
    // Also as `Retry-After`, for clients that read the header rather than the field.
    return { status: 200, headers: retryAfterUntil(record.createdAt + record.durationMs, now), body: out };
  }
}

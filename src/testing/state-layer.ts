/**
 * The stateful answer to a request Prism accepted, where the mocks own the
 * route: lists page over the store, creates add to it (201 + Location, or
 * 202 + an async operation), reads, updates and deletes act on it, batch and
 * bulk report per item. Returns undefined for routes it does not own, so
 * Prism's own answer passes through.
 */
import { randomUUID } from "node:crypto";
import type { OperationMetadata } from "../metadata.js";
import { asyncState, jobState, type AsyncRecord, type AsyncSettings } from "./async-work.js";
import type { CollectionModel } from "./collections.js";
import { errorBody } from "./error-body.js";
import { fakeValue, Random } from "./fake-data.js";
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
}

/** A create, update or delete the state layer made; `asyncOperation` when a 202 answer made it wait on one. */
export interface StateChange {
  readonly kind: "created" | "updated" | "deleted";
  readonly model: CollectionModel;
  readonly collectionPath: string;
  readonly item: Item;
  readonly asyncOperation?: AsyncRecord;
}

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
  #created = 0;
  readonly #now: () => number;
  readonly #listeners = new Set<(change: StateChange) => void>();

  constructor(private readonly options: StateLayerOptions) {
    for (const model of options.models.values()) if (model.itemTemplate !== undefined) this.#itemModels.set(model.itemTemplate, model);
    this.#now = options.now ?? Date.now;
  }

  reset(): void {
    this.#async.clear();
    this.#jobs.clear();
    this.#created = 0;
  }

  /** Tells `listener` of every create, update and delete; returns what stops it. */
  onChange(listener: (change: StateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(kind: StateChange["kind"], model: CollectionModel, collectionPath: string, item: Item, answer?: StateAnswer): void {
    const asyncOperation = answer?.status === 202 && answer.headers.location !== undefined ? this.#async.get(pathKey(answer.headers.location)) : undefined;
    for (const listener of this.#listeners) listener({ kind, model, collectionPath, item, ...(asyncOperation === undefined ? {} : { asyncOperation }) });
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
    return false;
  }

  handle(request: StateRequest): StateAnswer | undefined {
    const m = request.method.toLowerCase();
    const template = request.operation.path;
    if (m === "get") {
      const record = this.#async.get(pathKey(request.pathname));
      if (record !== undefined) return this.#asyncResource(request, record);
    }
    const model = this.options.models.get(template);
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
    const items = this.options.store.items(model, request.pathname).map((item) => this.#present(model, request.pathname, item));
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

  #create(request: StateRequest, model: CollectionModel): StateAnswer {
    const { store } = this.options;
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
    store.insert(model, request.pathname, item);
    const shown = this.#present(model, request.pathname, item);
    const { status } = this.#success(request);
    const headers: Record<string, string> = itemPath === undefined ? {} : { location: itemPath };
    const answer = status === 202 ? this.#accepted(request, itemPath, random) : { status, headers, body: this.#responseFor(request, shown, random) };
    this.#changed("created", model, request.pathname, item, answer);
    return answer;
  }

  #item(request: StateRequest, model: CollectionModel): StateAnswer {
    const { store } = this.options;
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
    if (m === "get") return { status, headers: {}, body: this.#responseFor(request, this.#present(model, collectionPath, item), random) };
    if (m === "delete") {
      store.remove(model, collectionPath, id);
      const answer = status === 202 ? this.#accepted(request, request.pathname, random) : { status, headers: {}, body: status === 204 ? undefined : this.#responseFor(request, item, random) };
      this.#changed("deleted", model, collectionPath, item, answer);
      return answer;
    }
    const declared = propertiesOf(model.schemas, model.itemSchema);
    const patch = overlay({}, request.body, declared);
    const updated = store.update(model, collectionPath, id, patch, m === "put") ?? item;
    const answer = status === 202 ? this.#accepted(request, request.pathname, random) : { status, headers: {}, body: status === 204 ? undefined : this.#responseFor(request, this.#present(model, collectionPath, updated), random) };
    this.#changed("updated", model, collectionPath, updated, answer);
    return answer;
  }

  /** `POST /x/{id}/reset` and the like: the item must exist; its generation moves on. */
  #action(request: StateRequest, model: CollectionModel): StateAnswer {
    const { store } = this.options;
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
    const updated = store.update(model, collectionPath, id, {}, false) ?? item;
    const random = new Random(`action|${pathKey(request.pathname)}|${this.#created++}`);
    const { status } = this.#success(request);
    if (status === 202) return this.#accepted(request, itemPath, random);
    return { status, headers: {}, body: status === 204 ? undefined : this.#responseFor(request, updated, random) };
  }

  /** Scope-group style batch create (`.../batch`) and bulk delete (`.../bulk`), each item reported. */
  #batch(request: StateRequest, model: CollectionModel, kind: "batch" | "bulk"): StateAnswer {
    const { store } = this.options;
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
          const removed = store.find(model, collectionPath, id)!;
          store.remove(model, collectionPath, id);
          this.#changed("deleted", model, collectionPath, removed);
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
      store.insert(model, collectionPath, item);
      this.#changed("created", model, collectionPath, item);
      successes.push(item);
    });
    const { status } = this.#success(request);
    return { status, headers: {}, body: { successCount: successes.length, errorCount: errors.length, successes, errors } };
  }

  #accepted(request: StateRequest, resourceUri: string | undefined, random: Random): StateAnswer {
    const document = request.operation.document;
    const template = this.options.asyncTemplates.get(document) ?? this.options.asyncTemplates.get("data-services");
    const body = this.#responseFor(request, undefined, random);
    if (template === undefined) return { status: 202, headers: resourceUri === undefined ? {} : { location: resourceUri }, body };
    const id = randomUUID();
    const location = template.replace(/\{[^}]+\}$/, id);
    const { settings } = this.options;
    this.#async.set(pathKey(location), {
      id,
      createdAt: this.#now(),
      durationMs: settings.durationMs,
      outcome: settings.outcome,
      request: `${request.method.toUpperCase()} ${request.operation.path}`,
      resourceUri,
    });
    return { status: 202, headers: { location }, body };
  }

  #asyncResource(request: StateRequest, record: AsyncRecord): StateAnswer {
    const { schema, schemas } = this.#success(request);
    const random = new Random(`async|${record.id}`);
    const base = (schema !== undefined && schemas !== undefined ? fakeValue(schemas, schema, "", { random, index: 0 }) : {}) as Item;
    const props = schemas === undefined ? {} : propertiesOf(schemas, schema);
    const { state, progressPercent } = asyncState(record, this.#now());
    const out: Item = { ...base, id: record.id };
    if (props.state !== undefined) out.state = state;
    if (props.status !== undefined || props.state === undefined) out.status = state;
    if (props.progressPercent !== undefined) out.progressPercent = progressPercent;
    if (props.suggestedPollingIntervalSeconds !== undefined) out.suggestedPollingIntervalSeconds = 0;
    if (props.sourceResourceUri !== undefined && record.resourceUri !== undefined) out.sourceResourceUri = record.resourceUri;
    if (props.error !== undefined && state !== "FAILED") delete out.error;
    return { status: 200, headers: {}, body: out };
  }
}

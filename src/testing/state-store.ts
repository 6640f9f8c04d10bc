/**
 * The mocks' memory: one list of items per concrete collection path, seeded
 * on first use with deterministic items generated from the collection's item
 * schema, then changed by creates, updates and deletes.
 */
import type { CollectionModel } from "./collections.js";
import { fakeValue, Random, serverId } from "./fake-data.js";

export type Item = Record<string, unknown>;

export interface StoreOptions {
  /** Seed of the generated data; the same seed gives the same items. */
  readonly seed: string;
  /** Items generated per collection, by collection template; default from the operation's maximum page size. */
  readonly sizeOf: (model: CollectionModel) => number;
  /** Workspace whose data this store holds (32 hex digits): items' workspace fields name it. */
  readonly workspaceId?: string | undefined;
  /** Whether that workspace is an MSP tenant (its items may name it as their associated tenant). */
  readonly tenant?: boolean;
}

interface Collection {
  readonly model: CollectionModel;
  items: Item[];
  /** Items read by ids never listed (documented example ids); kept apart so lists stay as seeded. */
  readonly unlisted: Item[];
}

/** 2.5 pages at the maximum page size, capped so 199 collections stay quick to generate. */
export function defaultCollectionSize(model: CollectionModel): number {
  if (!model.listed) return 0;
  return Math.min(250, Math.ceil(2.5 * (model.pagination?.maxPageSize ?? 100)));
}

/** Decoded path segments joined again: the key of a concrete collection. */
export function pathKey(pathname: string): string {
  return pathname
    .split("/")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join("/")
    .replace(/\/+$/, "");
}

function deepMerge(target: Item, patch: Item): Item {
  const out: Item = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    const current = out[k];
    out[k] =
      typeof v === "object" && v !== null && !Array.isArray(v) && typeof current === "object" && current !== null && !Array.isArray(current)
        ? deepMerge(current as Item, v as Item)
        : v;
  }
  return out;
}

export class StateStore {
  readonly #collections = new Map<string, Collection>();
  /** Item paths created through the API: collections nested under them start empty. */
  readonly #created = new Set<string>();
  /** Item paths deleted through the API: they stay gone. */
  readonly #deleted = new Set<string>();

  constructor(private readonly options: StoreOptions) {}

  /** The workspace this store holds, when known. */
  get workspaceId(): string | undefined {
    return this.options.workspaceId;
  }

  /** An empty store for tenant `workspaceId`, seeded lazily from this store's seed and that workspace, so tenants differ. */
  forTenant(workspaceId: string): StateStore {
    return new StateStore({ ...this.options, seed: `${this.options.seed}|workspace:${workspaceId}`, workspaceId, tenant: true });
  }

  clear(): void {
    this.#collections.clear();
    this.#created.clear();
    this.#deleted.clear();
  }

  /** Concrete collection paths touched so far, with their item counts. */
  summary(): Array<{ path: string; template: string; items: number }> {
    return [...this.#collections.entries()].map(([path, c]) => ({ path, template: c.model.template, items: c.items.length }));
  }

  /** The live item list of `path` (a concrete collection path), seeding it on first use. */
  items(model: CollectionModel, path: string): Item[] {
    return this.#collection(model, path).items;
  }

  /** Replaces (or with `append`, extends) a collection's items with the caller's. */
  seed(model: CollectionModel, path: string, items: readonly Item[], append: boolean): void {
    const collection = this.#collection(model, path, !append);
    const copies = items.map((i) => structuredClone(i));
    collection.items = append ? [...collection.items, ...copies] : copies;
  }

  #collection(model: CollectionModel, path: string, empty = false): Collection {
    const key = pathKey(path);
    let collection = this.#collections.get(key);
    if (collection === undefined) {
      const underCreated = [...this.#created].some((p) => key.startsWith(`${p}/`));
      const size = empty || underCreated ? 0 : this.options.sizeOf(model);
      collection = { model, items: this.#generate(model, key, size), unlisted: [] };
      this.#collections.set(key, collection);
    }
    return collection;
  }

  #generate(model: CollectionModel, key: string, size: number): Item[] {
    const items: Item[] = [];
    const ids = new Set<string>();
    for (let index = 0; index < size; index++) {
      const item = this.newItem(model, `${key}#${index}`, index, key);
      const original = model.idField === undefined ? undefined : item[model.idField];
      // Generated ids are random; a repeat would make two items one. Enumerated ids (kinds, not instances) may repeat.
      if (model.idField !== undefined && (typeof original === "string" || typeof original === "number") && !model.idEnumerated) {
        let id: string | number = original;
        for (let n = 1; ids.has(String(id)); n++) id = typeof original === "number" ? original + n : `${original}-${n + 1}`;
        item[model.idField] = id;
        if (typeof item.resourceUri === "string" && item.resourceUri.startsWith(`${key}/`)) item.resourceUri = `${key}/${String(id)}`;
        ids.add(String(id));
      }
      items.push(item);
    }
    return items;
  }

  /** One generated item for `model`, deterministic for `seedKey`. */
  newItem(model: CollectionModel, seedKey: string, index: number, collectionPath?: string): Item {
    const random = new Random(`${this.options.seed}|${seedKey}`);
    const value = fakeValue(model.schemas, model.itemSchema, "", { random, index });
    const item = (typeof value === "object" && value !== null && !Array.isArray(value) ? value : {}) as Item;
    decorate(model, item, random);
    agree(model, item, index, collectionPath);
    this.claim(model, item, true);
    return item;
  }

  /**
   * Makes the item's workspace fields (`workspaceId`, `tenantWorkspaceId`, ...) name this store's
   * workspace; with `generated`, a generated associated tenant names it too, or goes where it is not a tenant.
   */
  claim(model: CollectionModel, item: Item, generated: boolean): void {
    const workspaceId = this.options.workspaceId;
    if (workspaceId === undefined) return;
    for (const key of WORKSPACE_FIELDS) {
      const schema = model.schemas.property(model.itemSchema, key);
      if (schema === undefined || item[key] === undefined) continue;
      if (key === "tenantId" && !/workspace/i.test(String(schema.description ?? ""))) continue;
      const value = model.schemas.flatten(schema).format === "uuid" ? dashed(workspaceId) : workspaceId;
      if (fits(model, key, value)) item[key] = value;
    }
    if (!generated || !isObject(item.associatedTenant)) return;
    const required = model.schemas.flatten(model.itemSchema).required;
    if (this.options.tenant === true) item.associatedTenant = { ...item.associatedTenant, resourceUri: `/workspaces/v1/workspace/${dashed(workspaceId)}` };
    else if (!(Array.isArray(required) && required.includes("associatedTenant"))) delete item.associatedTenant;
  }

  /** Finds an item by the value of its id property. */
  find(model: CollectionModel, path: string, id: string): Item | undefined {
    if (model.idField === undefined) return undefined;
    const collection = this.#collection(model, path);
    return [...collection.items, ...collection.unlisted].find((i) => String(i[model.idField!]) === id);
  }

  /** Whether the item at `collectionPath/id` was deleted through the API. */
  wasDeleted(collectionPath: string, id: string): boolean {
    return this.#deleted.has(`${pathKey(collectionPath)}/${id}`);
  }

  /** Adds an item; `unlisted` ones answer reads by id but do not appear in lists. */
  insert(model: CollectionModel, path: string, item: Item, unlisted = false): void {
    const collection = this.#collection(model, path);
    (unlisted ? collection.unlisted : collection.items).push(item);
    if (model.idField !== undefined && !unlisted) this.#created.add(`${pathKey(path)}/${String(item[model.idField])}`);
  }

  #holder(model: CollectionModel, path: string, id: string): Item[] | undefined {
    const collection = this.#collection(model, path);
    const has = (list: Item[]) => list.some((i) => String(i[model.idField!]) === id);
    return has(collection.items) ? collection.items : has(collection.unlisted) ? collection.unlisted : undefined;
  }

  /** Changes an item; `now` (ISO) becomes its `updatedAt`, never before its `createdAt`. */
  /** Applies a client's change (`generation` moves on), or with `serverState` a field the server keeps itself (a status), which leaves `generation` alone. */
  update(model: CollectionModel, path: string, id: string, patch: Item, replace: boolean, now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), serverState = false): Item | undefined {
    const items = this.#holder(model, path, id);
    if (items === undefined) return undefined;
    const index = items.findIndex((i) => String(i[model.idField!]) === id);
    const current = items[index]!;
    const next = replace ? { ...current, ...patch } : deepMerge(current, patch);
    next[model.idField!] = current[model.idField!];
    if (typeof current.generation === "number" && !serverState) next.generation = current.generation + 1;
    if (typeof current.updatedAt === "string") next.updatedAt = typeof current.createdAt === "string" && current.createdAt > now ? current.createdAt : now;
    items[index] = next;
    return next;
  }

  remove(model: CollectionModel, path: string, id: string): boolean {
    const items = this.#holder(model, path, id);
    if (items === undefined) return false;
    items.splice(items.findIndex((i) => String(i[model.idField!]) === id), 1);
    const prefix = `${pathKey(path)}/${id}`;
    this.#deleted.add(prefix);
    for (const key of this.#collections.keys()) if (key.startsWith(`${prefix}/`)) this.#collections.delete(key);
    return true;
  }
}

/** Item fields that name the workspace holding the item. */
const WORKSPACE_FIELDS = ["workspaceId", "tenantWorkspaceId", "platformCustomerId", "tenantId"];

const isObject = (v: unknown): v is Item => typeof v === "object" && v !== null && !Array.isArray(v);

/** 32 hex digits as a UUID, the way GreenLake writes workspace ids in URIs. */
function dashed(hex: string): string {
  return /^[0-9a-f]{32}$/.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : hex;
}

/** Touches that make generated items read like the real service's. */
function decorate(model: CollectionModel, item: Item, random: Random): void {
  // Compute Ops Management names servers `<product id>+<serial number>`, and the id agrees with the hardware.
  if (model.document === "compute-ops-mgmt" && /\/servers$/.test(model.template) && model.idField === "id") {
    const hardware = typeof item.hardware === "object" && item.hardware !== null ? (item.hardware as Item) : undefined;
    const id = serverId(random);
    const [product, serial] = id.split("+") as [string, string];
    if (hardware !== undefined) {
      if ("serialNumber" in hardware) hardware.serialNumber = serial;
      if ("productId" in hardware) hardware.productId = product;
    }
    item.id = id;
  }
}

/** `/compute-ops-mgmt/v1/servers` -> `compute-ops-mgmt/server`, the way GreenLake writes resource types. */
export function resourceType(template: string): string {
  const segments = template.split("/").filter((s) => s !== "" && !s.startsWith("{") && !/^v\d/.test(s));
  const service = segments[0] ?? "resource";
  const last = segments[segments.length - 1] ?? "item";
  const singular = last.endsWith("ies") ? `${last.slice(0, -3)}y` : last.endsWith("sses") ? last.slice(0, -2) : last.endsWith("s") && !last.endsWith("ss") ? last.slice(0, -1) : last;
  return `${service}/${singular}`;
}

/** Whether `value` fits the item schema's property `name`: no const, enum, absolute-URI format, bound or pattern says otherwise. */
function fits(model: CollectionModel, name: string, value: unknown): boolean {
  const schema = model.schemas.property(model.itemSchema, name);
  if (schema === undefined) return false;
  const flat = model.schemas.flatten(schema);
  if (flat.const !== undefined || Array.isArray(flat.enum) || Array.isArray(flat.oneOf) || Array.isArray(flat.anyOf)) return false;
  if (typeof value === "string") {
    if (typeof flat.format === "string" && /^(uri|url|iri)$/i.test(flat.format)) return false;
    if (typeof flat.maxLength === "number" && value.length > flat.maxLength) return false;
    if (typeof flat.pattern === "string") {
      try {
        if (!new RegExp(flat.pattern).test(value)) return false;
      } catch {
        return false;
      }
    }
  }
  if (typeof value === "number" && typeof flat.maximum === "number" && value > flat.maximum) return false;
  return true;
}

/** Makes an item's fields agree with each other, as the real service's do (where the schema lets them). */
function agree(model: CollectionModel, item: Item, index: number, collectionPath: string | undefined): void {
  // Times in order: created, then updated; a first version has generation 1, a changed one more.
  if (typeof item.createdAt === "string" && typeof item.updatedAt === "string" && item.updatedAt < item.createdAt && fits(model, "createdAt", item.updatedAt) && fits(model, "updatedAt", item.createdAt)) {
    [item.createdAt, item.updatedAt] = [item.updatedAt, item.createdAt];
  }
  if (typeof item.generation === "number" && typeof item.createdAt === "string" && typeof item.updatedAt === "string") {
    const generation = item.updatedAt === item.createdAt ? 1 : Math.max(2, item.generation);
    if (fits(model, "generation", generation)) item.generation = generation;
  }
  // A person's email and username follow their name.
  if (typeof item.firstName === "string" && typeof item.lastName === "string") {
    const address = `${item.firstName}.${item.lastName}${index + 1}@example.com`.toLowerCase();
    for (const key of ["username", "email", "userName"]) if (typeof item[key] === "string" && String(item[key]).includes("@") && fits(model, key, address)) item[key] = address;
    const display = `${item.firstName} ${item.lastName}`;
    if (typeof item.displayName === "string" && fits(model, "displayName", display)) item.displayName = display;
  }
  // A `type` without an example or enum reads like GreenLake's (`identity/user`), not a placeholder.
  const typeSchema = model.schemas.property(model.itemSchema, "type");
  if (typeof item.type === "string" && typeSchema !== undefined && typeSchema.example === undefined && /^type-/.test(item.type) && fits(model, "type", resourceType(model.template))) {
    item.type = resourceType(model.template);
  }
  // A resource URI names the item itself.
  if (collectionPath !== undefined && model.idField !== undefined && typeof item.resourceUri === "string" && (typeof item[model.idField] === "string" || typeof item[model.idField] === "number")) {
    const uri = `${collectionPath}/${String(item[model.idField])}`;
    if (fits(model, "resourceUri", uri)) item.resourceUri = uri;
  }
}

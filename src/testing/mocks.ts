/** The mocks' parts put together: Prism, the state layer, the issuer and the front door (`startMocks` in index.ts). */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { GreenLakeOptions } from "../options.js";
import { serviceMetadata } from "../../generated/services/index.js";
import type { OperationMetadata } from "../metadata.js";
import { defaultAsyncSettings, type AsyncRecord, type AsyncSettings } from "./async-work.js";
import { collectionModels, type CollectionModel } from "./collections.js";
import { allOperations, documentsOf, findDocumentsDir, selectServices } from "./documents.js";
import { Faults, statedRateLimit } from "./faults.js";
import { actingWorkspace, startFrontDoor, type MockCall } from "./front-door.js";
import { TokenIssuer, type IssuerCredentials, type IssuerStats, type IssuedTokenInfo } from "./issuer.js";
import type { HostedDocument, PrismHost } from "./prism-host.js";
import { RouteTable } from "./routes.js";
import { DocumentSchemas } from "./schemas.js";
import { StateLayer, type StateListener } from "./state-layer.js";
import { defaultCollectionSize, StateStore, type Item } from "./state-store.js";
import { WebhookDelivery, type MockEvents, type WebhookMockOptions } from "./webhook-delivery.js";

export interface StartMocksOptions {
  /** Service keys to serve (`compute-ops-mgmt`, `identity`, ...); default: every service. */
  services?: readonly string[];
  /** Folder of corrected `<document key>.json`; default: HPE's pinned documents, corrected, from a per-user cache. */
  documentsDir?: string;
  /** Lifetime of issued tokens in seconds; default 300. Short values exercise token refresh. */
  tokenLifetimeSeconds?: number;
  /** Credentials the issuer accepts; default: random ones. */
  credentials?: Partial<IssuerCredentials>;
  /** Port of the front door; default: a free one. */
  port?: number;
  /** Seed of the generated data: the same seed gives the same items; default "greenlake". */
  seed?: string;
  /**
   * Items generated per collection: one number for all, or by collection path template
   * (`{ "/compute-ops-mgmt/v1/servers": 700 }`, others keep the default); default 2.5 pages
   * at the operation's maximum page size, at most 250.
   */
  collectionSize?: number | Readonly<Record<string, number>>;
  /** How long async operations and jobs take, and how they end; default 300 ms, succeeded, COMPLETE. */
  async?: Partial<AsyncSettings>;
  /**
   * Answer an item id never created nor listed with a generated item (kept out of lists),
   * instead of 404; for suites that send the documents' example ids. Default false.
   */
  generateUnknownItems?: boolean;
  /**
   * Whether the state layer answers (default true). With false every accepted request gets
   * Prism's answer from the document's examples: a check of requests alone, as a contract
   * suite of the client wants.
   */
  state?: boolean;
  /** How registered webhooks get their events: the clock (`manualClock()` in tests), destinations beyond loopback, batches, retries. */
  webhooks?: WebhookMockOptions;
}

/** What the state layer holds, for assertions. */
export interface MockState {
  /**
   * The items of a concrete collection path (`/identity/v1/users`), as the next list would see them; a copy.
   * Of the main workspace, or of the MSP tenant `workspaceId` (32 hex digits or a UUID), each holding its own items.
   */
  collection(path: string, workspaceId?: string): Item[];
  /** Concrete collection paths touched so far in the main workspace (or tenant `workspaceId`), with their path template and item count. */
  collections(workspaceId?: string): Array<{ path: string; template: string; items: number }>;
  /** Collection path templates the state layer serves (lists, creates, items). */
  readonly templates: readonly string[];
  /** Async operations started by 202 answers, oldest first. */
  readonly asyncOperations: readonly AsyncRecord[];
  /** Calls `listener` after each item created, updated or deleted, and each async operation that ended; returns the remover. */
  onChange(listener: StateListener): () => void;
}

export interface Mocks {
  /** One loopback URL for every service: pass it as the client's `baseUrl`. */
  readonly baseUrl: string;
  /** The local workspace issuer, `<baseUrl>/authorization/v2/oauth2/<workspaceId>/token`. */
  readonly tokenUrl: string;
  /** The local issuer in the older form, `<baseUrl>/as/token.oauth2` (HTTP Basic). */
  readonly ssoTokenUrl: string;
  /** Credentials the issuer accepts. */
  readonly credentials: IssuerCredentials;
  /** Services served. */
  readonly services: readonly string[];
  /** Documents Prism could not load, with the reason; their operations answer 501. */
  readonly unavailable: ReadonlyMap<string, string>;
  /** API requests answered so far, oldest first. */
  readonly calls: readonly MockCall[];
  /** Token requests so far, by outcome. */
  readonly tokenStats: IssuerStats;
  /** What the issuer knows of a token it issued, if still valid. */
  tokenInfo(token: string): IssuedTokenInfo | undefined;
  /** Invalidates every issued token, so the next API call gets 401. */
  revokeTokens(): void;
  /** Options for `new GreenLake(...)` pointing at the mocks, with `overrides` on top. */
  clientOptions(overrides?: GreenLakeOptions): GreenLakeOptions;
  /** Inspect the state layer's collections and async operations. */
  readonly state: MockState;
  /** Script faults: `mocks.faults.add({ operation: "GET /identity/v1/users", fault: { kind: "429", retryAfterSeconds: 1 } })`. */
  readonly faults: Faults;
  /** Webhooks registered on the mocks get signed events: inject one with `mocks.events.emit(...)`, watch `mocks.events.deliveries`. */
  readonly events: MockEvents;
  /** How async operations and jobs progress; change it at any time, e.g. `mocks.async.outcome = "failed"`. */
  readonly async: AsyncSettings;
  /**
   * Puts your own items in a collection (a concrete path such as `/identity/v1/users`),
   * replacing the generated ones, or after them with `{ append: true }`.
   */
  seed(path: string, items: readonly Item[], options?: { append?: boolean }): void;
  /** Back to the start: generated data again, no faults, no calls recorded, default async settings. */
  reset(): void;
  /** Stops Prism, the issuer and the front door. */
  stop(): Promise<void>;
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** Where a Prism serving the given documents comes from: a new child process (`startPrismHost`), or one already running. */
export type PrismSource = (documents: readonly HostedDocument[]) => Promise<PrismHost>;

/** `startMocks` with Prism from `prism`: each call of the mocks' own starts a new one. */
export async function startMocksWith(prism: PrismSource, options: StartMocksOptions = {}): Promise<Mocks> {
  const services = selectServices(options.services);
  const documentsDir = await findDocumentsDir(documentsOf(services), options.documentsDir);
  const credentials: IssuerCredentials = {
    clientId: options.credentials?.clientId ?? `mock-client-${randomHex(8)}`,
    clientSecret: options.credentials?.clientSecret ?? randomHex(24),
    workspaceId: (options.credentials?.workspaceId ?? randomHex(16)).replaceAll("-", "").toLowerCase(),
  };
  const issuer = new TokenIssuer(credentials, options.tokenLifetimeSeconds ?? 300);
  const routes = new RouteTable(allOperations());
  const documentKeys = documentsOf(services);
  const documents = documentKeys.map((key) => ({ key, file: join(documentsDir, `${key}.json`) }));
  const starting = prism(documents);
  // Read the documents for the state layer while Prism starts in its own process.
  let stateParts;
  try {
    stateParts = buildState(services, documentKeys, documentsDir, options, credentials.workspaceId);
  } catch (error) {
    await starting.then((h) => h.stop(), () => {});
    throw error;
  }
  const { store, layer, faults, settings, models } = stateParts;
  const events = new WebhookDelivery({ store, models, layer, ...(options.webhooks === undefined ? {} : { options: options.webhooks }) });
  const host = await starting;
  const calls: MockCall[] = [];
  let door;
  try {
    door = await startFrontDoor({
      issuer,
      routes,
      ports: host.ports,
      unavailable: host.failures,
      calls,
      ...(options.state === false ? {} : { state: events.routes(layer) }),
      faults,
      ...(options.port === undefined ? {} : { port: options.port }),
    });
  } catch (error) {
    await host.stop();
    throw error;
  }
  const modelOf = (path: string): CollectionModel => {
    const route = routes.match("get", new URL(path, "http://mock.invalid").pathname);
    const model = route === undefined ? undefined : models.get(route.path);
    if (model === undefined) throw new TypeError(`${path} is not a collection the mocks hold; collections are the list paths of the services started, e.g. /identity/v1/users.`);
    return model;
  };
  const workspaceOf = (workspaceId: string | undefined) => {
    if (workspaceId === undefined) return store;
    const id = actingWorkspace(workspaceId, credentials.workspaceId);
    if (id === undefined) throw new TypeError("A workspace id is 32 hex digits or a UUID.");
    return layer.workspace(id);
  };
  const state: MockState = {
    collection: (path, workspaceId) => {
      layer.settle();
      return structuredClone(workspaceOf(workspaceId).items(modelOf(path), path));
    },
    onChange: (listener) => layer.onChange(listener),
    collections: (workspaceId) => workspaceOf(workspaceId).summary(),
    templates: [...models.keys()],
    get asyncOperations() {
      layer.settle();
      return layer.asyncOperations;
    },
  };
  const baseUrl = door.url;
  const tokenUrl = `${baseUrl}/authorization/v2/oauth2/${credentials.workspaceId}/token`;
  let stopped: Promise<void> | undefined;
  return {
    baseUrl,
    tokenUrl,
    ssoTokenUrl: `${baseUrl}/as/token.oauth2`,
    credentials,
    services,
    unavailable: host.failures,
    calls,
    state,
    faults,
    events,
    async: settings,
    seed: (path, items, seedOptions = {}) => store.seed(modelOf(path), path, items, seedOptions.append ?? false),
    reset: () => {
      store.clear();
      layer.reset();
      events.reset();
      faults.clear();
      calls.length = 0;
      Object.assign(settings, defaultAsyncSettings(), options.async);
    },
    get tokenStats() {
      return issuer.stats;
    },
    tokenInfo: (token) => issuer.verify(token),
    revokeTokens: () => issuer.revokeAll(),
    clientOptions: (overrides = {}) => ({
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      workspaceId: credentials.workspaceId,
      tokenUrl,
      baseUrl,
      ...overrides,
    }),
    stop: () => {
      // No challenge, retry or batch of a webhook goes out after the mocks stopped.
      events.reset();
      return (stopped ??= Promise.all([door.close(), host.stop()]).then(() => undefined));
    },
  };
}

function buildState(services: readonly string[], documentKeys: readonly string[], documentsDir: string, options: StartMocksOptions, workspaceId: string) {
  const loaded = new Map<string, DocumentSchemas>();
  for (const key of documentKeys) {
    try {
      loaded.set(key, DocumentSchemas.load(join(documentsDir, `${key}.json`)));
    } catch {
      // Prism reports an unreadable document as unavailable; the state layer just holds nothing for it.
    }
  }
  const schemasOf = (document: string) => loaded.get(document);
  const operations = services.flatMap((s) => serviceMetadata[s as keyof typeof serviceMetadata].operations as readonly OperationMetadata[]);
  const models = collectionModels(operations, schemasOf);
  const asyncTemplates = new Map<string, string>();
  for (const op of operations) if (op.method === "get" && /\/async-operations\/\{[^}]+\}$/.test(op.path) && !asyncTemplates.has(op.document)) asyncTemplates.set(op.document, op.path);
  const sizes = options.collectionSize;
  const store = new StateStore({
    seed: options.seed ?? "greenlake",
    workspaceId,
    sizeOf: (model) => {
      if (!model.listed) return 0;
      if (typeof sizes === "number") return sizes;
      return sizes?.[model.template] ?? defaultCollectionSize(model);
    },
  });
  const settings: AsyncSettings = { ...defaultAsyncSettings(), ...options.async };
  const asyncPaths = [...new Set(allOperations().filter((op) => op.method === "get" && /\/async-operations\/\{[^}]+\}$/.test(op.path)).map((op) => op.path))];
  // Async work finishes on the webhooks' clock when a test drives one, so completions and their events agree.
  const clock = options.webhooks?.clock;
  const layer = new StateLayer({ models, store, schemasOf, asyncTemplates, settings, generateUnknownItems: options.generateUnknownItems ?? false, operations, asyncPaths, ...(clock === undefined ? {} : { now: () => clock.now() }) });
  const descriptions = new Map<string, string>();
  for (const [key, doc] of loaded) {
    const paths = (doc.document.paths ?? {}) as Record<string, Record<string, { description?: string } | undefined>>;
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(item ?? {})) {
        if (typeof op?.description === "string") descriptions.set(`${method.toUpperCase()} ${path}`, op.description);
      }
    }
    void key;
  }
  const faults = new Faults((operation) => statedRateLimit(descriptions.get(operation)));
  return { store, layer, faults, settings, models };
}

/**
 * `GreenLake`: one options object, a lazily created typed client for every
 * service, all sharing one token, pacing and logging.
 */
import { inspect } from "node:util";
import { unknownServiceError } from "./errors.js";
import { tokenExchangeSource } from "./internal/auth.js";
import { normalizeWorkspaceId, type GreenLakeOptions } from "./options.js";
import type { BudgetState } from "./internal/pacing.js";
import { knownRegions } from "./internal/regions.js";
import { createRuntime, type Runtime } from "./internal/runtime.js";
import { buildServiceClient, type ServiceClient } from "./service-client.js";
import { serviceKeys, serviceMetadata, serviceNames, type ServiceKey, type ServicePaths } from "../generated/services/index.js";

export type { ServiceKey, ServicePaths };

/** The typed client of each service, under its camelCase name (`computeOpsMgmt`, `identity`, ...). */
export type GreenLakeServices = {
  readonly [K in ServiceKey as (typeof serviceNames)[K]]: ServiceClient<ServicePaths[K]>;
};

// Every region any document names: a `region` outside them is a typo, whichever services get used.
let allRegions: readonly string[] | undefined;
const regionsOfAllServices = (): readonly string[] => (allRegions ??= knownRegions(Object.values(serviceMetadata)));

// Lets forTenant give a new client its tenant runtime without a public parameter or a shared variable.
let adoptRuntime: (client: GreenLake, runtime: Runtime) => void;

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface GreenLake extends GreenLakeServices {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class GreenLake {
  readonly #options: GreenLakeOptions;
  #runtime: Runtime;
  readonly #clients = new Map<ServiceKey, ServiceClient<any>>();
  readonly #tenants = new Map<string, GreenLake>();

  static {
    adoptRuntime = (client, runtime) => {
      client.#runtime = runtime;
    };
  }

  /** Missing or malformed settings throw a `GreenLakeConfigurationError` here, not at the first call. */
  constructor(options: GreenLakeOptions = {}) {
    this.#options = options;
    this.#runtime = createRuntime(options, regionsOfAllServices());
  }

  /** The client of a service by its key, e.g. `gl.service("compute-ops-mgmt")`. */
  service<K extends ServiceKey>(key: K): ServiceClient<ServicePaths[K]> {
    let client = this.#clients.get(key);
    if (client === undefined) {
      // Own keys only: "toString" or "constructor" would otherwise find Object.prototype's members.
      const metadata = Object.hasOwn(serviceMetadata, key) ? serviceMetadata[key] : undefined;
      if (metadata === undefined) throw unknownServiceError(String(key), serviceKeys);
      client = buildServiceClient<ServicePaths[K]>(metadata, this.#runtime);
      this.#clients.set(key, client);
    }
    return client as ServiceClient<ServicePaths[K]>;
  }

  /** What each rate-limit budget of this client has left, e.g. for a progress line. */
  rateLimitState(): BudgetState[] {
    return this.#runtime.pacing.state();
  }

  /**
   * A client acting in an MSP tenant's workspace: its token comes from an
   * RFC 8693 exchange of this client's token at the tenant workspace's issuer.
   */
  forTenant(tenantWorkspaceId: string): GreenLake {
    const tenant = normalizeWorkspaceId(tenantWorkspaceId, "tenant workspace id");
    let child = this.#tenants.get(tenant);
    if (child === undefined) {
      const parent = this.#runtime;
      const auth = tokenExchangeSource(parent.auth, parent.settings.credentials, tenant, parent.tokenRequests);
      child = new GreenLake(this.#options);
      // Limits scoped to a workspace are the tenant workspace's own; the API client's stay shared.
      adoptRuntime(child, { ...parent, auth, pacing: parent.pacing.forWorkspace(tenant) });
      this.#tenants.set(tenant, child);
    }
    return child;
  }

  /** What `console.log(gl)` shows: no settings, no credentials. */
  [inspect.custom](): string {
    return `GreenLake { services: ${serviceKeys.length} }`;
  }

  toJSON(): Record<string, never> {
    return {};
  }
}

for (const key of serviceKeys) {
  Object.defineProperty(GreenLake.prototype, serviceNames[key], {
    get(this: GreenLake) {
      return this.service(key);
    },
    enumerable: false,
    configurable: true,
  });
}

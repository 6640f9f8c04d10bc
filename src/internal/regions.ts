/** Picks a service's base URL from its generated servers and the client's region. */
import { configurationError } from "../errors.js";
import { checkRegionName } from "../options.js";
import type { ServiceMetadata } from "../metadata.js";

const GLOBAL_REGION = "global";

/** Region names a service is served from (`global` for global services). */
function regionsOf(metadata: ServiceMetadata): string[] {
  return Object.keys(metadata.servers);
}

function isGlobalService(metadata: ServiceMetadata): boolean {
  const regions = regionsOf(metadata);
  return regions.length === 1 && regions[0] === GLOBAL_REGION;
}

/**
 * The base URL for `region`. Global services ignore the region; a regional
 * service without one, or with one it is not served in, is an error listing the valid regions.
 */
export function serverUrlFor(metadata: ServiceMetadata, region: string | undefined): string {
  const servers = metadata.servers;
  if (isGlobalService(metadata)) return servers[GLOBAL_REGION] as string;
  const valid = regionsOf(metadata).filter((r) => r !== GLOBAL_REGION);
  if (region === undefined) {
    const global = servers[GLOBAL_REGION];
    if (global !== undefined) return global;
    throw configurationError(
      `${metadata.service} is a regional service: set \`region\` (or GREENLAKE_REGION) to one of ${valid.join(", ")}.`,
    );
  }
  const url = Object.hasOwn(servers, region) ? servers[region] : undefined;
  if (url === undefined) {
    throw configurationError(
      `${metadata.service} is not served in region "${region}"; valid regions: ${valid.join(", ")}.`,
    );
  }
  return url;
}

/** Every region name the given services' documents name (`global` aside), for checking a setting's spelling. */
export function knownRegions(services: Iterable<ServiceMetadata>): string[] {
  const names = new Set<string>();
  for (const metadata of services) for (const r of regionsOf(metadata)) if (r !== GLOBAL_REGION) names.add(r);
  return [...names].sort();
}

/**
 * Where one service client's calls go: `baseUrl` when set; else the server
 * of the call's region, the client's fixed region, or the region an async
 * provider names (asked at the first call, and again after it failed).
 * Resolved at the call, so a service whose region is missing fails its own
 * calls, not the property access or another service.
 */
export class RegionResolver {
  readonly #metadata: ServiceMetadata;
  readonly #baseUrl: string | undefined;
  readonly #region: string | (() => string | Promise<string>) | undefined;
  readonly #byRegion = new Map<string, string>();
  #fixed: string | undefined;
  #pending: Promise<string> | undefined;

  constructor(metadata: ServiceMetadata, region: string | (() => string | Promise<string>) | undefined, baseUrl: string | undefined) {
    this.#metadata = metadata;
    this.#region = region;
    this.#baseUrl = baseUrl;
  }

  /** The origin (base URL) of a call, given its own `region` option if any. */
  origin(callRegion: string | undefined, known?: readonly string[]): string | Promise<string> {
    if (this.#baseUrl !== undefined) return this.#baseUrl;
    if (callRegion !== undefined) return this.forRegion(checkRegionName(callRegion, known));
    const region = this.#region;
    if (typeof region !== "function") return (this.#fixed ??= serverUrlFor(this.#metadata, region));
    if (this.#pending === undefined) {
      const pending = Promise.resolve()
        .then(region)
        .then((r) => this.forRegion(checkRegionName(r, known)));
      // A failure (a vault briefly unreachable) is asked again on the next call, not kept for the client's life.
      pending.catch(() => {
        if (this.#pending === pending) this.#pending = undefined;
      });
      this.#pending = pending;
    }
    return this.#pending;
  }

  forRegion(region: string): string {
    let url = this.#byRegion.get(region);
    if (url === undefined) this.#byRegion.set(region, (url = serverUrlFor(this.#metadata, region)));
    return url;
  }
}

/** The region whose server `location` (an absolute URL) names, so polling stays where the operation runs. */
export function regionOfLocation(metadata: ServiceMetadata, location: string): string | undefined {
  if (!/^https?:\/\//i.test(location)) return undefined;
  const origin = new URL(location).origin;
  for (const [region, server] of Object.entries(metadata.servers)) {
    if (new URL(server).origin === origin) return region;
  }
  return undefined;
}

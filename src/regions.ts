/** Picks a service's base URL from its generated servers and the client's region. */
import { GreenLakeConfigurationError } from "./errors.js";
import type { ServiceMetadata } from "./metadata.js";

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
    throw new GreenLakeConfigurationError(
      `${metadata.service} is a regional service: set \`region\` (or GREENLAKE_REGION) to one of ${valid.join(", ")}.`,
    );
  }
  const url = Object.hasOwn(servers, region) ? servers[region] : undefined;
  if (url === undefined) {
    throw new GreenLakeConfigurationError(
      `${metadata.service} is not served in region "${region}"; valid regions: ${valid.join(", ")}.`,
    );
  }
  return url;
}

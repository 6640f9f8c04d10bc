/**
 * Builds the SDK client a command runs with: from `--mock`, a profile, or
 * GREENLAKE_* variables, with the token cached across commands.
 */
import { configurationError, unknownServiceError } from "../errors.js";
import type { GreenLake } from "../greenlake.js";
import type { ServiceMetadata } from "../metadata.js";
import type { GreenLakeOptions } from "../options.js";
import type { ServiceClient } from "../service-client.js";
import type { Env } from "./files.js";
import { checkProfileName, readProfile, type Profile } from "./profiles.js";
import { readSecret } from "./secret.js";
import { cachedToken, forgetToken, type CachedToken, type ClientCredentials } from "./token-cache.js";
import { stderrLogger, verboseFetch } from "./verbose.js";

export interface Identity {
  /** `profile <name>`, `environment` or `mocks`. */
  readonly source: string;
  readonly credentials?: ClientCredentials | undefined;
  readonly staticToken?: string | undefined;
  readonly region?: string | undefined;
  readonly baseUrl?: string | undefined;
}

/** `--profile`, then GLP_PROFILE, then GREENLAKE_* variables, then the profile named "default". */
export async function resolveIdentity(env: Env, profileName: string | undefined): Promise<Identity> {
  const name = profileName ?? env.GLP_PROFILE;
  if (name === undefined && env.GREENLAKE_CLIENT_ID) {
    const secret = env.GREENLAKE_CLIENT_SECRET;
    return {
      source: "environment",
      credentials: {
        clientId: env.GREENLAKE_CLIENT_ID,
        clientSecret: async () => {
          if (!secret) throw configurationError("GREENLAKE_CLIENT_ID is set but GREENLAKE_CLIENT_SECRET is not");
          return secret;
        },
        workspaceId: env.GREENLAKE_WORKSPACE_ID?.replaceAll("-", "").toLowerCase() || undefined,
        tokenUrl: env.GREENLAKE_TOKEN_URL || undefined,
      },
      region: env.GREENLAKE_REGION || undefined,
      baseUrl: env.GREENLAKE_BASE_URL || undefined,
    };
  }
  if (name === undefined && env.GREENLAKE_TOKEN) {
    return { source: "environment", staticToken: env.GREENLAKE_TOKEN, region: env.GREENLAKE_REGION || undefined, baseUrl: env.GREENLAKE_BASE_URL || undefined };
  }
  const profile: Profile | undefined = await readProfile(env, checkProfileName(name ?? "default"));
  if (profile === undefined) {
    throw configurationError(
      name === undefined
        ? "no credentials: run glp login, or set GREENLAKE_CLIENT_ID, GREENLAKE_CLIENT_SECRET and GREENLAKE_WORKSPACE_ID (or try --mock)"
        : `no profile named "${name}"; run glp login --profile ${name}`,
    );
  }
  return {
    source: `profile ${name ?? "default"}`,
    credentials: { clientId: profile.clientId, clientSecret: () => readSecret(profile.secret, env), workspaceId: profile.workspaceId, tokenUrl: profile.tokenUrl },
    region: env.GREENLAKE_REGION || profile.region,
    baseUrl: env.GREENLAKE_BASE_URL || profile.baseUrl,
  };
}

export interface ClientSettings {
  readonly env: Env;
  readonly identity: Identity;
  readonly region?: string | undefined;
  readonly verbose: boolean;
  readonly stderr: (line: string) => void;
  readonly signal: AbortSignal;
  /**
   * Hand the client credentials to the SDK instead of the token cache: MSP tenant calls
   * (the SDK exchanges tokens itself) and the mocks (throw-away credentials).
   */
  readonly direct: boolean;
}

function clientOptions(settings: ClientSettings): GreenLakeOptions {
  const { identity } = settings;
  const options: GreenLakeOptions = {
    throwOnError: true,
    region: settings.region ?? identity.region,
    baseUrl: identity.baseUrl,
    // GREENLAKE_PROXY and the other fallbacks come from glp's environment, as for its token requests.
    env: settings.env,
    ...(settings.verbose ? { logger: stderrLogger(settings.stderr), logLevel: "debug" as const, fetch: verboseFetch(settings.stderr) } : {}),
  };
  if (identity.staticToken !== undefined) return { ...options, token: identity.staticToken };
  const credentials = identity.credentials!;
  if (settings.direct) {
    return { ...options, clientId: credentials.clientId, clientSecret: credentials.clientSecret, workspaceId: credentials.workspaceId, tokenUrl: credentials.tokenUrl };
  }
  let current: CachedToken | undefined;
  return {
    ...options,
    // Read once per command from the cache file, renewed there when the SDK would renew it.
    token: async () => {
      if (current === undefined || current.refreshAt <= Date.now()) {
        current = await cachedToken(settings.env, credentials, { signal: settings.signal, log: settings.verbose ? settings.stderr : undefined });
      }
      return current.accessToken;
    },
  };
}

/** The client of one service, built from that service's metadata alone (a command loads no other service). */
export async function serviceClient(settings: ClientSettings, service: string): Promise<ServiceClient<any>> {
  // The index, not a computed path: a bundler follows it. Only this service's operations get parsed.
  const [{ createServiceClient }, { serviceKeys, serviceMetadata }] = await Promise.all([import("../service-client.js"), import("../../generated/services/index.js")]);
  if (!Object.hasOwn(serviceMetadata, service)) throw unknownServiceError(service, serviceKeys);
  return createServiceClient(serviceMetadata[service as keyof typeof serviceMetadata] as ServiceMetadata, clientOptions(settings));
}

/** The whole SDK client, for MSP tenants (forTenant) and their listing. */
export async function greenLake(settings: ClientSettings): Promise<GreenLake> {
  const { GreenLake } = await import("../greenlake.js");
  return new GreenLake(clientOptions(settings));
}

/** After a 401 the cached token is dropped, so the next command asks for a new one. */
export async function dropCachedToken(env: Env, identity: Identity): Promise<void> {
  if (identity.credentials) await forgetToken(env, identity.credentials);
}

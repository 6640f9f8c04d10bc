/**
 * simple-oauth2's client-credentials grant, loaded without its option schema.
 * The package's entry validates options with joi, which is about half of
 * what loading it costs (tens of milliseconds on the first token request);
 * every option the SDK passes is already checked in options.ts, so the grant
 * and its HTTP client are loaded directly and given the defaults joi would add.
 * If the package's layout ever changes, its entry is loaded as before.
 */
import type { ClientCredentials as ClientCredentialsClass, ModuleOptions } from "simple-oauth2";

export type ClientCredentialsConstructor = new (options: ModuleOptions) => ClientCredentialsClass;

// In variables: the two files are internal to simple-oauth2 and carry no types of their own.
const CLIENT_MODULE = "simple-oauth2/lib/client/index.js";
const GRANT_MODULE = "simple-oauth2/lib/client-credentials-grant-type.js";

type Config = Record<string, any>;

/** The options as simple-oauth2's schema returns them for the client-credentials grant: defaults filled in. */
export function withSchemaDefaults(options: ModuleOptions): Config {
  const tokenPath = options.auth.tokenPath ?? "/oauth/token";
  return {
    client: { secretParamName: "client_secret", idParamName: "client_id", ...options.client },
    auth: { tokenPath, refreshPath: tokenPath, revokePath: "/oauth/revoke", ...options.auth },
    http: options.http,
    options: { scopeSeparator: " ", credentialsEncodingMode: "strict", bodyFormat: "form", authorizationMethod: "header", ...options.options },
  };
}

function cjs<T>(mod: { default?: T } & T): T {
  return (mod.default ?? mod) as T;
}

async function loadDirect(): Promise<ClientCredentialsConstructor> {
  const [clientModule, grantModule] = await Promise.all([import(CLIENT_MODULE), import(GRANT_MODULE)]);
  const { Client } = cjs<{ Client: new (config: Config) => unknown }>(clientModule);
  const Grant = cjs<new (config: Config, client: unknown) => ClientCredentialsClass>(grantModule);
  if (typeof Client !== "function" || typeof Grant !== "function") throw new Error("simple-oauth2 layout changed");
  return class ClientCredentials extends Grant {
    constructor(options: ModuleOptions) {
      const config = withSchemaDefaults(options);
      super(config, new Client(config));
    }
  } as unknown as ClientCredentialsConstructor;
}

let loading: Promise<ClientCredentialsConstructor> | undefined;

/** The ClientCredentials class, loaded once per process; a failed load (both ways) is tried again by the next token request. */
export function loadClientCredentials(): Promise<ClientCredentialsConstructor> {
  loading ??= loadDirect()
    .catch(async () => (await import("simple-oauth2")).ClientCredentials as unknown as ClientCredentialsConstructor)
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

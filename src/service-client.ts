/**
 * A typed openapi-fetch client for one GreenLake service, wired to the
 * shared runtime (auth, retries, timeouts, pacing, logging).
 */
import createClient, { type FetchResponse, type MaybeOptionalInit, type Middleware } from "openapi-fetch";
import type { HttpMethod, PathsWithMethod, RequiredKeysOf } from "openapi-typescript-helpers";
import { errorFromResponse, GreenLakeConnectionError, GreenLakeError, GreenLakeServerError, readErrorBody } from "./errors.js";
import { redactSecrets } from "./logging.js";
import type { ServiceMetadata, OperationMetadata } from "./metadata.js";
import { checkRegionName, resolveProvider, type GreenLakeOptions } from "./options.js";
import { serverUrlFor } from "./regions.js";
import { querySerializersOf, type QuerySerializer } from "./query-serializer.js";
import { createRuntime, type Runtime } from "./runtime.js";
import { createTransport, UNSIGNALLED } from "./transport.js";
import { idempotentOperations } from "./idempotency.js";

export type ServiceClientOptions = GreenLakeOptions;

const INTERNALS = Symbol("greenlake.service");

interface Internals {
  readonly runtime: Runtime;
  readonly metadata: ServiceMetadata;
  readonly baseUrl: string;
  operations?: Map<string, OperationMetadata>;
}

/** Options every call takes besides openapi-fetch's own (`params`, `body`, `headers`, ...). */
export interface CallOptions {
  /** Region of this call only, e.g. `us-west`; the client's region otherwise. */
  region?: string;
  /** `Tenant-Acid` header of this call only (MSP). */
  tenantAcid?: string;
  /** Time limit of each attempt of this call, in milliseconds; 0 for none. */
  timeoutMs?: number;
  /** Stops the call, its retries and its waits when aborted. */
  signal?: AbortSignal | null;
}

type Media = `${string}/${string}`;

// The index signature keeps openapi-fetch's pass-through of other RequestInit keys (e.g. undici's `dispatcher`).
type WithCallOptions<Init> = Init & CallOptions & { [option: string]: unknown };

/** Optional when the operation requires nothing, as in openapi-fetch. */
type InitArgument<Init> = RequiredKeysOf<Init> extends never ? [WithCallOptions<Init>?] : [WithCallOptions<Init>];

type CallMethod<Paths extends Record<string, any>, Method extends HttpMethod> = <
  Path extends PathsWithMethod<Paths, Method>,
  Init extends MaybeOptionalInit<Paths[Path], Method>,
>(
  url: Path,
  ...init: InitArgument<Init>
) => Promise<FetchResponse<Paths[Path][Method], Init, Media>>;

type CallRequestMethod<Paths extends Record<string, any>> = <
  Method extends HttpMethod,
  Path extends PathsWithMethod<Paths, Method>,
  Init extends MaybeOptionalInit<Paths[Path], Method>,
>(
  method: Method,
  url: Path,
  ...init: InitArgument<Init>
) => Promise<FetchResponse<Paths[Path][Method], Init, Media>>;

/** openapi-fetch's client methods, with CallOptions typed in every call's init. */
// Declared whole rather than picked from openapi-fetch's Client, which makes relating two clients far costlier.
export interface ServiceMethods<Paths extends Record<string, any>> {
  use(...middleware: Middleware[]): void;
  eject(...middleware: Middleware[]): void;
  request: CallRequestMethod<Paths>;
  GET: CallMethod<Paths, "get">;
  PUT: CallMethod<Paths, "put">;
  POST: CallMethod<Paths, "post">;
  DELETE: CallMethod<Paths, "delete">;
  OPTIONS: CallMethod<Paths, "options">;
  HEAD: CallMethod<Paths, "head">;
  PATCH: CallMethod<Paths, "patch">;
  TRACE: CallMethod<Paths, "trace">;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type ServiceClient<Paths extends {}> = ServiceMethods<Paths extends Record<string, any> ? Paths : never> & {
  /** The service's generated metadata (servers, operations, pagination). */
  readonly metadata: ServiceMetadata;
  /** The same client pointed at another region; clients are cached per region. */
  withRegion(region: string): ServiceClient<Paths>;
  readonly [INTERNALS]: Internals;
};

/** Placeholder origin used until an async region provider answers. */
const PENDING_ORIGIN = "https://region.pending.invalid";

function throwOnErrorMiddleware(): Middleware {
  return {
    async onResponse({ request, response }) {
      if (response.ok) return undefined;
      throw errorFromResponse(request.method, request.url, response, await readErrorBody(response.clone()));
    },
  };
}

function deprecationMiddleware(runtime: Runtime, metadata: ServiceMetadata): Middleware {
  let deprecated: Set<string> | undefined;
  return {
    onResponse({ request, response, schemaPath }) {
      deprecated ??= new Set(metadata.operations.filter((op) => op.deprecated).map((op) => `${op.method.toUpperCase()} ${op.path}`));
      if (deprecated.has(`${request.method} ${schemaPath}`)) runtime.deprecations.checkDeclared(request.method, schemaPath);
      runtime.deprecations.check(request.method, schemaPath, response);
      return undefined;
    },
  };
}

const METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;

/**
 * openapi-fetch reads the body after the transport returned, so a body cut
 * off mid-way or malformed JSON surfaces there; name the call and type the error.
 */
function bodyError(error: unknown, method: string, path: string): unknown {
  if (error instanceof GreenLakeError || (error as { name?: string })?.name === "AbortError") return error;
  if (error instanceof SyntaxError) {
    return new GreenLakeServerError(redactSecrets(`${method} ${path} returned a body that is not valid JSON: ${error.message}`), { method, path, cause: error });
  }
  if (error instanceof TypeError) {
    return new GreenLakeConnectionError(redactSecrets(`${method} ${path} lost the connection while reading the response (${error.message}).`), { method, path, cause: error });
  }
  return error;
}

type CallInit = { signal?: AbortSignal | null; querySerializer?: unknown; [option: string]: unknown } | undefined;

/** Tells the transport when a call has no AbortSignal (see transport's CallExtras). */
function markUnsignalled(init: CallInit): CallInit {
  return init?.signal ? init : { ...init, [UNSIGNALLED]: true };
}

/** As markUnsignalled, and serializes the query as the operation declares unless the caller chose a serializer. */
function withOperationSerializer(init: CallInit, serializer: QuerySerializer | undefined): CallInit {
  if (serializer === undefined || init?.params === undefined || init.querySerializer !== undefined) return markUnsignalled(init);
  return init.signal ? { ...init, querySerializer: serializer } : { ...init, querySerializer: serializer, [UNSIGNALLED]: true };
}

type Send = (url: string, init?: CallInit) => Promise<unknown>;

/**
 * Wraps each method: marks unsignalled calls, picks the operation's query
 * serializer where its document needs one, and types body-reading failures.
 */
function wrapMethods(client: Record<string, unknown>, serializers: Map<string, Map<string, QuerySerializer>>): void {
  for (const method of METHODS) {
    const send = client[method] as Send;
    // Most services declare no special query style: their calls skip the lookup.
    const byPath = serializers.get(method);
    client[method] = (url: string, init?: CallInit) =>
      send(url, byPath === undefined ? markUnsignalled(init) : withOperationSerializer(init, byPath.get(url))).catch((error: unknown) => {
        throw bodyError(error, method, url);
      });
  }
  const request = client.request as (method: string, url: string, init?: CallInit) => Promise<unknown>;
  client.request = (method: string, url: string, init?: CallInit) =>
    request(method, url, withOperationSerializer(init, serializers.get(method.toUpperCase())?.get(url))).catch((error: unknown) => {
      throw bodyError(error, method.toUpperCase(), url);
    });
}

/** Builds a client on an existing runtime; `region` overrides the runtime's region. */
export function buildServiceClient<Paths extends {}>(
  metadata: ServiceMetadata,
  runtime: Runtime,
  region?: string,
): ServiceClient<Paths> {
  const { settings } = runtime;
  let baseUrl: string;
  let resolveUrl: ((url: string) => Promise<string>) | undefined;
  if (settings.baseUrl !== undefined) baseUrl = settings.baseUrl;
  else if (region !== undefined || typeof settings.region !== "function") {
    baseUrl = serverUrlFor(metadata, region ?? (settings.region as string | undefined));
  } else {
    // Region from an async provider: resolved (and checked) at the first request.
    baseUrl = PENDING_ORIGIN;
    const provider = settings.region;
    let origin: Promise<string> | undefined;
    resolveUrl = async (url) => {
      if (origin === undefined) {
        origin = resolveProvider(provider).then((r) => serverUrlFor(metadata, checkRegionName(r)));
        // A failure (a vault briefly unreachable) is asked again on the next call, not kept for the client's life.
        origin.catch(() => (origin = undefined));
      }
      return url.startsWith(PENDING_ORIGIN) ? (await origin) + url.slice(PENDING_ORIGIN.length) : url;
    };
  }
  const fetch = createTransport({
    fetch: settings.fetch,
    auth: runtime.auth,
    log: runtime.log,
    timeoutMs: settings.timeoutMs,
    retry: settings.retry,
    pacing: runtime.pacing.forService(metadata),
    idempotent: idempotentOperations(metadata),
    resolveUrl,
    reroute:
      settings.baseUrl === undefined
        ? (url, r) => (url.startsWith(baseUrl) ? serverUrlFor(metadata, checkRegionName(r)) + url.slice(baseUrl.length) : url)
        : undefined,
  });
  const client = createClient<Paths>({
    baseUrl,
    fetch,
    headers: settings.tenantAcid === undefined ? undefined : { "Tenant-Acid": settings.tenantAcid },
  });
  // Middleware only when it has work to do: openapi-fetch's call path is leaner without any.
  if (runtime.log.warnEnabled) client.use(deprecationMiddleware(runtime, metadata));
  if (settings.throwOnError) client.use(throwOnErrorMiddleware());
  wrapMethods(client as unknown as Record<string, unknown>, querySerializersOf(metadata));
  const regional = new Map<string, ServiceClient<Paths>>();
  return Object.assign(client, {
    metadata,
    withRegion(r: string): ServiceClient<Paths> {
      let c = regional.get(r);
      if (c === undefined) {
        c = buildServiceClient<Paths>(metadata, runtime, checkRegionName(r));
        regional.set(r, c);
      }
      return c;
    },
    [INTERNALS]: { runtime, metadata, baseUrl } as Internals,
  }) as ServiceClient<Paths>;
}

/** A standalone client for one service (what the per-service entry points call). */
export function createServiceClient<Paths extends {}>(
  metadata: ServiceMetadata,
  options?: ServiceClientOptions,
): ServiceClient<Paths> {
  return buildServiceClient<Paths>(metadata, createRuntime(options));
}

/** Internal details pagination and async operations need. */
export function internalsOf(client: ServiceClient<any>): Internals {
  const internals = (client as { [INTERNALS]?: Internals })[INTERNALS];
  if (internals === undefined) throw new TypeError("Expected a GreenLake service client (from GreenLake or create<Service>Client).");
  return internals;
}

/** The generated metadata of `method path`, looked up once per client. */
export function operationOf(client: ServiceClient<any>, method: string, path: string): OperationMetadata | undefined {
  const internals = internalsOf(client);
  let ops = internals.operations;
  if (ops === undefined) {
    ops = new Map(internals.metadata.operations.map((op) => [`${op.method} ${op.path}`, op]));
    internals.operations = ops;
  }
  return ops.get(`${method.toLowerCase()} ${path}`);
}

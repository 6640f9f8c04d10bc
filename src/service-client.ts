/**
 * A typed openapi-fetch client for one GreenLake service, wired to the
 * shared runtime (auth, retries, timeouts, pacing, logging).
 */
import createClient, {
  type BodySerializer,
  type FetchResponse,
  type HeadersOptions,
  type Middleware,
  type ParamsOption,
  type ParseAs,
  type QuerySerializer,
  type QuerySerializerOptions,
  type RequestBodyOption,
} from "openapi-fetch";
import type { HttpMethod, PathsWithMethod, RequiredKeysOf } from "openapi-typescript-helpers";
import { errorFromResponse, invalidCallOptionError, malformedBodyError, notAServiceClientError, pathWithoutSlashError, readErrorBody } from "./errors.js";
import { contentTypesOf, withContentType } from "./internal/media-types.js";
import type { ServiceMetadata, OperationMetadata } from "./metadata.js";
import { checkRegionName, type GreenLakeOptions } from "./options.js";
import { knownRegions, RegionResolver } from "./internal/regions.js";
import { idempotentOperations } from "./internal/idempotency.js";
import { setEncoders } from "./internal/paths.js";
import { commaJoinedQueryOf } from "./internal/query-serializer.js";
import { createRuntime, type Runtime } from "./internal/runtime.js";
import { callRequestClass } from "./internal/call-request.js";
import { createPipeline, type CallContext, type Pipeline } from "./internal/pipeline/pipeline.js";

export type ServiceClientOptions = GreenLakeOptions;

const INTERNALS = Symbol("greenlake.service");

interface Internals {
  readonly runtime: Runtime;
  readonly metadata: ServiceMetadata;
  readonly regions: RegionResolver;
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

/** Structurally undici's `Dispatcher` (an `Agent`, a `ProxyAgent`, ...), so the types need no undici. */
export interface DispatcherLike {
  dispatch(options: unknown, handler: unknown): boolean;
}

/** The `RequestInit` keys a call accepts besides `signal` and `headers`; each reaches `fetch`. */
export interface RequestInitOptions {
  cache?: "default" | "force-cache" | "no-cache" | "no-store" | "only-if-cached" | "reload";
  keepalive?: boolean;
  redirect?: "error" | "follow" | "manual";
  priority?: "auto" | "high" | "low";
  /** Node's fetch (undici): the agent or proxy agent that carries this call. */
  dispatcher?: DispatcherLike;
}

/**
 * One call's init: the operation's `params` and `body`, openapi-fetch's
 * per-call options, CallOptions and RequestInitOptions, and nothing else, so a
 * misspelt key anywhere in it (`regoin`, `params.qurey`, `body.nmae`) does not compile.
 */
export type OperationInit<Op, Parse extends ParseAs = "json"> = ParamsOption<Op> &
  RequestBodyOption<Op> &
  CallOptions &
  RequestInitOptions & {
    headers?: HeadersOptions;
    parseAs?: Parse;
    querySerializer?: QuerySerializer<Op> | QuerySerializerOptions;
    bodySerializer?: BodySerializer<Op>;
    middleware?: Middleware[];
  };

/** Optional when the operation requires nothing, as in openapi-fetch. */
type InitArgument<Op, Parse extends ParseAs> = RequiredKeysOf<OperationInit<Op>> extends never ? [OperationInit<Op, Parse>?] : [OperationInit<Op, Parse>];

// Only `parseAs` is inferred from the init: inferring the whole init (as openapi-fetch does) would accept any extra key.
type CallMethod<Paths extends Record<string, any>, Method extends HttpMethod> = <
  Path extends PathsWithMethod<Paths, Method>,
  Parse extends ParseAs = "json",
>(
  url: Path,
  ...init: InitArgument<Paths[Path][Method], Parse>
) => Promise<FetchResponse<Paths[Path][Method], { parseAs: Parse }, Media>>;

type CallRequestMethod<Paths extends Record<string, any>> = <
  Method extends HttpMethod,
  Path extends PathsWithMethod<Paths, Method>,
  Parse extends ParseAs = "json",
>(
  method: Method,
  url: Path,
  ...init: InitArgument<Paths[Path][Method], Parse>
) => Promise<FetchResponse<Paths[Path][Method], { parseAs: Parse }, Media>>;

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
};

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

type CallInit = ({ signal?: AbortSignal | null; querySerializer?: unknown } & Record<string, unknown>) | undefined;

/**
 * Splits a call's init into what openapi-fetch builds the request from and
 * the call's own options. The signal and the dispatcher travel in the call's
 * options only: a Request holding the caller's signal would keep a listener
 * on it until the Request is collected.
 */
function splitCall(method: string, template: string, init: CallInit): { rest: Record<string, unknown>; call: CallContext } {
  if (init === undefined || init === null) return { rest: {}, call: {} };
  // `dispatcher` and `duplex`: RequestInit keys a platform Request does not keep, handed to fetch on every attempt instead.
  // One copy of the rest, for openapi-fetch (no `delete` on it afterwards, which would make every later read of it slow).
  const { region, tenantAcid, timeoutMs, signal, dispatcher, duplex, ...rest } = init;
  let extensions: Record<string, unknown> | undefined;
  if (dispatcher !== undefined) (extensions ??= {}).dispatcher = dispatcher;
  if (duplex !== undefined) (extensions ??= {}).duplex = duplex;
  if (region !== undefined && typeof region !== "string") throw invalidCallOptionError(method, template, "region", "must be a region name");
  if (tenantAcid !== undefined && typeof tenantAcid !== "string") throw invalidCallOptionError(method, template, "tenantAcid", "must be a string");
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 0)) {
    throw invalidCallOptionError(method, template, "timeoutMs", "must be a non-negative number of milliseconds");
  }
  if (signal !== undefined && signal !== null && !(signal instanceof AbortSignal)) {
    throw invalidCallOptionError(method, template, "signal", "must be an AbortSignal");
  }
  return {
    rest,
    call: { region, tenantAcid, timeoutMs, signal: signal ?? undefined, extensions } as CallContext,
  };
}

/** What the service client uses of an openapi-fetch client. */
interface OpenApiClient {
  request(method: string, url: string, init?: Record<string, unknown>): Promise<unknown>;
  use(...middleware: Middleware[]): void;
  eject(...middleware: Middleware[]): void;
}

/** openapi-fetch reads JSON from the buffered answer after the pipeline returned: a malformed body surfaces there. */
function bodyError(error: unknown, method: string, path: string): unknown {
  return error instanceof SyntaxError ? malformedBodyError(method, path, error) : error;
}

interface CallWiring {
  /** The openapi-fetch client every call goes through when the user added middleware (it sees a platform Request). */
  readonly client: OpenApiClient;
  /**
   * The same, building a CallRequest instead of a platform Request, for the
   * calls only the pipeline sees: no middleware of the user's on the client
   * or the call, no fetch of the user's (then undefined).
   */
  readonly plain: OpenApiClient | undefined;
  /** Middleware the user added to the client. */
  readonly userMiddleware: Set<Middleware>;
  readonly pipeline: Pipeline;
  readonly regions: RegionResolver;
  readonly knownRegions: readonly string[] | undefined;
  readonly commaJoined: Map<string, Map<string, ReadonlySet<string>>>;
  readonly contentTypes: Map<string, Map<string, string>>;
}

/**
 * One call through openapi-fetch as it is meant to be extended: the call's
 * origin as its per-call `baseUrl`, and the pipeline as its per-call `fetch`
 * (carrying the call's own options as an explicit value). Path and query are
 * encoded as the operation's document declares, the body labelled with its
 * declared media type, and a malformed body typed.
 */
async function callThrough(wiring: CallWiring, method: string, url: string, init: CallInit): Promise<unknown> {
  // openapi-fetch joins the path to the base URL as text: one without a leading slash (`@evil.example/`) names another host.
  if (typeof url !== "string" || !url.startsWith("/")) throw pathWithoutSlashError(method);
  const split = splitCall(method, url, init);
  const context = split.call;
  const contentType = wiring.contentTypes.get(method)?.get(url);
  const typed = contentType === undefined ? split.rest : withContentType(split.rest, contentType);
  // Path and query encoded by the SDK: a value that cannot be sent rejects the call before anything is sent.
  // `typed` is this call's own copy of the init: the encoders are set on it.
  const rest = setEncoders(method, url, typed, wiring.commaJoined.get(method)?.get(url));
  const origin = wiring.regions.origin(context.region, wiring.knownRegions);
  rest.baseUrl = typeof origin === "string" ? origin : await origin;
  rest.fetch = (request: Request) => wiring.pipeline(request, context);
  const plain = wiring.plain !== undefined && wiring.userMiddleware.size === 0 && rest.middleware === undefined;
  // openapi-fetch's GET(url, init) is request("GET", url, init); `method` is upper case here.
  try {
    return await (plain ? wiring.plain! : wiring.client).request(method, url, rest);
  } catch (error) {
    throw bodyError(error, method, url);
  }
}

/** The service client's methods over openapi-fetch clients, which are left as openapi-fetch made them. */
function serviceMethods(wiring: CallWiring): Record<string, unknown> {
  const { client, userMiddleware } = wiring;
  const methods: Record<string, unknown> = {
    use: (...middleware: Middleware[]) => {
      client.use(...middleware); // openapi-fetch checks each one first
      for (const m of middleware) if (m) userMiddleware.add(m);
    },
    eject: (...middleware: Middleware[]) => {
      client.eject(...middleware);
      for (const m of middleware) userMiddleware.delete(m);
    },
  };
  for (const method of METHODS) methods[method] = (url: string, init?: CallInit) => callThrough(wiring, method, url, init);
  methods.request = (method: string, url: string, init?: CallInit) => callThrough(wiring, String(method).toUpperCase(), url, init);
  return methods;
}

/**
 * Builds a client on an existing runtime; `region` fixes the client's region (see `withRegion`).
 * @internal
 */
export function buildServiceClient<Paths extends {}>(
  metadata: ServiceMetadata,
  runtime: Runtime,
  region?: string,
): ServiceClient<Paths> {
  const { settings } = runtime;
  const regions = new RegionResolver(metadata, region ?? settings.region, settings.baseUrl);
  const pipeline = createPipeline({
    fetch: settings.fetch,
    auth: runtime.auth,
    log: runtime.log,
    timeoutMs: settings.timeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    retry: settings.retry,
    pacing: runtime.pacing.forService(metadata),
    idempotent: idempotentOperations(metadata),
    proxy: runtime.proxy,
  });
  const headers = settings.tenantAcid === undefined ? undefined : { "Tenant-Acid": settings.tenantAcid };
  // Middleware only when it has work to do: openapi-fetch's call path is leaner without any.
  const own: Middleware[] = [];
  if (runtime.log.warnEnabled) own.push(deprecationMiddleware(runtime, metadata));
  if (settings.throwOnError) own.push(throwOnErrorMiddleware());
  const openapi = createClient<Paths>({ headers }) as unknown as OpenApiClient;
  openapi.use(...own);
  let plain: OpenApiClient | undefined;
  if (settings.fetch === undefined) {
    plain = createClient<Paths>({ headers, Request: callRequestClass }) as unknown as OpenApiClient;
    plain.use(...own);
  }
  const client = serviceMethods({
    client: openapi,
    plain,
    userMiddleware: new Set(),
    pipeline,
    regions,
    knownRegions: runtime.knownRegions,
    commaJoined: commaJoinedQueryOf(metadata),
    contentTypes: contentTypesOf(metadata),
  });
  const regional = new Map<string, ServiceClient<Paths>>();
  const internals: Internals = { runtime, metadata, regions };
  Object.assign(client, {
    metadata,
    withRegion(r: string): ServiceClient<Paths> {
      let c = regional.get(r);
      if (c === undefined) {
        const name = checkRegionName(r, runtime.knownRegions);
        regions.forRegion(name); // a region this service is not served in fails here, where it was asked for
        c = buildServiceClient<Paths>(metadata, runtime, name);
        regional.set(r, c);
      }
      return c;
    },
  });
  // Not enumerable: inspecting or serializing a client never walks into the runtime.
  Object.defineProperty(client, INTERNALS, { value: internals, enumerable: false });
  return client as unknown as ServiceClient<Paths>;
}

/** A standalone client for one service (what the per-service entry points call). */
export function createServiceClient<Paths extends {}>(
  metadata: ServiceMetadata,
  options?: ServiceClientOptions,
): ServiceClient<Paths> {
  const regions = knownRegions([metadata]);
  return buildServiceClient<Paths>(metadata, createRuntime(options, regions.length > 0 ? regions : undefined));
}

/**
 * Internal details pagination and async operations need.
 * @internal
 */
export function internalsOf(client: ServiceClient<any>): Internals {
  const internals = (client as { [INTERNALS]?: Internals })[INTERNALS];
  if (internals === undefined) throw notAServiceClientError();
  return internals;
}

/**
 * The generated metadata of `method path`, looked up once per client.
 * @internal
 */
export function operationOf(client: ServiceClient<any>, method: string, path: string): OperationMetadata | undefined {
  const internals = internalsOf(client);
  let ops = internals.operations;
  if (ops === undefined) {
    ops = new Map(internals.metadata.operations.map((op) => [`${op.method} ${op.path}`, op]));
    internals.operations = ops;
  }
  return ops.get(`${method.toLowerCase()} ${path}`);
}

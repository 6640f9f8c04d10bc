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
import { errorFromResponse, invalidCallOptionError, malformedBodyError, readErrorBody } from "./errors.js";
import { contentTypesOf, withContentType } from "./internal/media-types.js";
import type { ServiceMetadata, OperationMetadata } from "./metadata.js";
import { checkRegionName, type GreenLakeOptions } from "./options.js";
import { knownRegions, RegionResolver } from "./internal/regions.js";
import { idempotentOperations } from "./internal/idempotency.js";
import { withEncoders } from "./internal/paths.js";
import { commaJoinedQueryOf } from "./internal/query-serializer.js";
import { createRuntime, type Runtime } from "./internal/runtime.js";
import { createTransport, PLACEHOLDER_ORIGIN, type CallContext, type Transport } from "./internal/transport.js";

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

/** RequestInit keys a platform Request does not keep, handed to fetch on every attempt instead. */
const FETCH_EXTENSION_KEYS = ["dispatcher", "duplex"] as const;

type CallInit = ({ signal?: AbortSignal | null; querySerializer?: unknown } & Record<string, unknown>) | undefined;

/** Splits a call's init into what openapi-fetch builds the request from and the call's own options. */
function splitCall(method: string, template: string, init: CallInit): { rest: Record<string, unknown>; call: CallContext } {
  if (init === undefined || init === null) return { rest: {}, call: {} };
  const { region, tenantAcid, timeoutMs, ...rest } = init;
  let extensions: Record<string, unknown> | undefined;
  for (const key of FETCH_EXTENSION_KEYS) {
    if (rest[key] !== undefined) (extensions ??= {})[key] = rest[key];
  }
  if (region !== undefined && typeof region !== "string") throw invalidCallOptionError(method, template, "region", "must be a region name");
  if (tenantAcid !== undefined && typeof tenantAcid !== "string") throw invalidCallOptionError(method, template, "tenantAcid", "must be a string");
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 0)) {
    throw invalidCallOptionError(method, template, "timeoutMs", "must be a non-negative number of milliseconds");
  }
  return {
    rest,
    call: { region, tenantAcid, timeoutMs, signal: init.signal ?? undefined, extensions } as CallContext,
  };
}

type Send = (url: string, init?: Record<string, unknown>) => Promise<unknown>;

/** openapi-fetch reads JSON from the buffered answer after the transport returned: a malformed body surfaces there. */
function bodyError(error: unknown, method: string, path: string): unknown {
  return error instanceof SyntaxError ? malformedBodyError(method, path, error) : error;
}

/**
 * Wraps each method: hands the call's own options to the transport as an
 * explicit value (a per-call fetch), encodes path and query as the
 * operation's document declares, labels the body with its declared media
 * type, and types a malformed body.
 */
function wrapMethods(
  client: Record<string, unknown>,
  transport: Transport,
  commaJoined: Map<string, Map<string, ReadonlySet<string>>>,
  contentTypes: Map<string, Map<string, string>>,
): void {
  const call = (send: Send, method: string, url: string, init: CallInit): Promise<unknown> => {
    let rest: Record<string, unknown>;
    let context: CallContext;
    try {
      const split = splitCall(method, url, init);
      context = split.call;
      const contentType = contentTypes.get(method)?.get(url);
      const typed = contentType === undefined ? split.rest : withContentType(split.rest, contentType);
      // Path and query encoded by the SDK: a value that cannot be sent rejects the call before anything is sent.
      rest = withEncoders(method, url, typed, commaJoined.get(method)?.get(url));
    } catch (error) {
      return Promise.reject(error);
    }
    rest.fetch = (request: Request) => transport(request, context);
    return send(url, rest).catch((error: unknown) => {
      throw bodyError(error, method, url);
    });
  };
  for (const method of METHODS) {
    const send = client[method] as Send;
    client[method] = (url: string, init?: CallInit) => call(send, method, url, init);
  }
  const request = client.request as (method: string, url: string, init?: Record<string, unknown>) => Promise<unknown>;
  client.request = (method: string, url: string, init?: CallInit) =>
    call((u, i) => request(method, u, i), String(method).toUpperCase(), url, init);
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
  const transport = createTransport({
    fetch: settings.fetch,
    auth: runtime.auth,
    log: runtime.log,
    timeoutMs: settings.timeoutMs,
    retry: settings.retry,
    pacing: runtime.pacing.forService(metadata),
    idempotent: idempotentOperations(metadata),
    proxy: runtime.proxy,
    regions,
    knownRegions: runtime.knownRegions,
  });
  const client = createClient<Paths>({
    baseUrl: PLACEHOLDER_ORIGIN,
    headers: settings.tenantAcid === undefined ? undefined : { "Tenant-Acid": settings.tenantAcid },
  });
  // Middleware only when it has work to do: openapi-fetch's call path is leaner without any.
  if (runtime.log.warnEnabled) client.use(deprecationMiddleware(runtime, metadata));
  if (settings.throwOnError) client.use(throwOnErrorMiddleware());
  wrapMethods(client as unknown as Record<string, unknown>, transport, commaJoinedQueryOf(metadata), contentTypesOf(metadata));
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
  if (internals === undefined) throw new TypeError("Expected a GreenLake service client (from GreenLake or create<Service>Client).");
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

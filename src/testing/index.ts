/**
 * Local mocks of the GreenLake APIs for contract tests: Prism serving HPE's
 * documents, a local OAuth2 issuer, and one loopback URL in front of both.
 *
 * ```ts
 * const mocks = await startMocks({ services: ["identity"] });
 * const gl = new GreenLake(mocks.clientOptions());
 * await gl.identity.GET("/identity/v1/users");
 * await mocks.stop();
 * ```
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { GreenLakeOptions } from "../options.js";
import { allOperations, documentsOf, findDocumentsDir, selectServices } from "./documents.js";
import { startFrontDoor, WORKSPACE_HEADER, type MockCall } from "./front-door.js";
import { TokenIssuer, type IssuerCredentials, type IssuerStats, type IssuedTokenInfo } from "./issuer.js";
import { startPrismHost } from "./prism-host.js";
import { RouteTable } from "./routes.js";

export type { MockCall, IssuerCredentials, IssuerStats, IssuedTokenInfo };
export { WORKSPACE_HEADER };

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
  /** Stops Prism, the issuer and the front door. */
  stop(): Promise<void>;
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

export async function startMocks(options: StartMocksOptions = {}): Promise<Mocks> {
  const services = selectServices(options.services);
  const documentsDir = await findDocumentsDir(documentsOf(services), options.documentsDir);
  const credentials: IssuerCredentials = {
    clientId: options.credentials?.clientId ?? `mock-client-${randomHex(8)}`,
    clientSecret: options.credentials?.clientSecret ?? randomHex(24),
    workspaceId: (options.credentials?.workspaceId ?? randomHex(16)).replaceAll("-", "").toLowerCase(),
  };
  const issuer = new TokenIssuer(credentials, options.tokenLifetimeSeconds ?? 300);
  const routes = new RouteTable(allOperations());
  const documents = documentsOf(services).map((key) => ({ key, file: join(documentsDir, `${key}.json`) }));
  const host = await startPrismHost(documents);
  const calls: MockCall[] = [];
  let door;
  try {
    door = await startFrontDoor({ issuer, routes, ports: host.ports, unavailable: host.failures, calls, ...(options.port === undefined ? {} : { port: options.port }) });
  } catch (error) {
    await host.stop();
    throw error;
  }
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
    stop: () => (stopped ??= Promise.all([door.close(), host.stop()]).then(() => undefined)),
  };
}

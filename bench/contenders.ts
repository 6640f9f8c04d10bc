/**
 * The same GET made by each contender: undici's `request` (the practical
 * floor on Node), plain `fetch`, bare openapi-fetch with the generated types,
 * axios with a keep-alive agent, and this SDK in its default configuration.
 * Every contender parses the JSON body; only the SDK fetches its own token.
 */
import { Agent as HttpAgent } from "node:http";
import axios from "axios";
import createClient from "openapi-fetch";
import { request } from "undici";
import type { paths } from "../generated/services/compute-ops-mgmt.js";
import type { Sdk } from "./figure.js";
import type { Contender } from "./latency.js";
import type { Stub } from "./stub-client.js";

export const STATIC_TOKEN = "bench-access-token";
export const SDK = "greenlake-sdk";

export interface Call {
  /** Path as the document declares it, e.g. /compute-ops-mgmt/v1/servers/{id}. */
  readonly template: string;
  /** The same path with its parameters filled in. */
  readonly path: string;
  readonly pathParams?: Record<string, string>;
  readonly query?: Record<string, string | number>;
}

function queryString(call: Call): string {
  const q = new URLSearchParams(Object.entries(call.query ?? {}).map(([k, v]) => [k, String(v)])).toString();
  return q ? `?${q}` : "";
}

const headers = { authorization: `Bearer ${STATIC_TOKEN}`, accept: "application/json" };

export function undiciContender(baseUrl: string, call: Call): Contender {
  const url = `${baseUrl}${call.path}${queryString(call)}`;
  return {
    name: "undici.request",
    async call() {
      const { statusCode, body } = await request(url, { headers });
      const data: unknown = await body.json();
      if (statusCode !== 200) throw new Error(`undici.request: HTTP ${statusCode}`);
      return data;
    },
  };
}

export function fetchContender(baseUrl: string, call: Call): Contender {
  const url = `${baseUrl}${call.path}${queryString(call)}`;
  return {
    name: "fetch",
    async call() {
      const response = await fetch(url, { headers });
      const data: unknown = await response.json();
      if (!response.ok) throw new Error(`fetch: HTTP ${response.status}`);
      return data;
    },
  };
}

export function openapiFetchContender(baseUrl: string, call: Call): Contender {
  const client = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${STATIC_TOKEN}` } });
  const params = { path: call.pathParams, query: call.query };
  return {
    name: "openapi-fetch",
    async call() {
      const { data, error } = await client.GET(call.template as "/compute-ops-mgmt/v1/servers", { params } as never);
      if (error !== undefined) throw new Error("openapi-fetch: request failed");
      return data;
    },
  };
}

export function axiosContender(baseUrl: string, call: Call): Contender {
  const client = axios.create({ baseURL: baseUrl, headers, httpAgent: new HttpAgent({ keepAlive: true }) });
  return {
    name: "axios",
    async call() {
      const response = await client.get(call.path, { params: call.query });
      return response.data as unknown;
    },
  };
}

/** A GreenLake client as a user builds it: client credentials against the stub's issuer; retries and time limits on. */
export function sdkClient(sdk: Sdk, stub: Stub, options: Record<string, unknown> = {}) {
  return new sdk.GreenLake({
    clientId: "bench-client",
    clientSecret: "bench-secret",
    workspaceId: "0123456789abcdef0123456789abcdef",
    tokenUrl: stub.tokenUrl,
    baseUrl: stub.baseUrl,
    ...options,
  });
}

export function sdkContender(sdk: Sdk, stub: Stub, call: Call, name = SDK, options: Record<string, unknown> = {}): Contender {
  const com = sdkClient(sdk, stub, options).computeOpsMgmt;
  const params = { path: call.pathParams, query: call.query };
  return {
    name,
    async call() {
      const { data, error } = await com.GET(call.template as "/compute-ops-mgmt/v1/servers", { params } as never);
      if (error !== undefined) throw new Error(`${name}: request failed`);
      return data;
    },
  };
}

/** The same GET made three ways: plain fetch, bare openapi-fetch, and this SDK. */
import createClient from "openapi-fetch";
import type { Contender } from "./latency.js";

export const OVERHEAD_PATH = "/compute-ops-mgmt/v1/servers";
const STATIC_TOKEN = "bench-access-token";

export function rawFetchContender(baseUrl: string): Contender {
  const url = `${baseUrl}${OVERHEAD_PATH}?limit=10`;
  const headers = { authorization: `Bearer ${STATIC_TOKEN}`, accept: "application/json" };
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

export function openapiFetchContender(baseUrl: string): Contender {
  // Untyped paths: the request is identical and the bench measures run time, not types.
  const client = createClient<Record<string, any>>({ baseUrl, headers: { authorization: `Bearer ${STATIC_TOKEN}` } });
  return {
    name: "openapi-fetch",
    async call() {
      const { data, error } = await client.GET(OVERHEAD_PATH as never, { params: { query: { limit: 10 } } } as never);
      if (error !== undefined) throw new Error("openapi-fetch: request failed");
      return data;
    },
  };
}

// Compiled by test/unit/call-types.test.ts: each `@ts-expect-error` names the text its line's error must contain.
import type { Agent } from "undici-types";
import { createComputeOpsMgmtClient } from "../../../generated/entries/compute-ops-mgmt.js";

const job = { jobTemplate: "t", resourceId: "r", resourceType: "compute-ops-mgmt/server" };

export async function callOptions(signal: AbortSignal, agent: Agent): Promise<unknown[]> {
  const com = createComputeOpsMgmtClient({ region: "us-west" });
  const out: unknown[] = [];

  // Every accepted key, on a call with no required init and on one with a required body.
  out.push(
    await com.GET("/compute-ops-mgmt/v1/servers", {
      params: { query: { limit: 10 } },
      region: "us-west",
      tenantAcid: "acid",
      timeoutMs: 5_000,
      signal,
      headers: { "X-Trace": "1" },
      cache: "no-store",
      keepalive: true,
      redirect: "manual",
      priority: "high",
      dispatcher: agent,
      querySerializer: { array: { style: "form", explode: false } },
      middleware: [],
    }),
  );
  out.push(await com.POST("/compute-ops-mgmt/v1/jobs", { body: job, bodySerializer: JSON.stringify, timeoutMs: 0 }));
  out.push(await com.request("post", "/compute-ops-mgmt/v1/jobs", { body: job, signal: null }));

  // @ts-expect-error 'regoin'
  out.push(await com.GET("/compute-ops-mgmt/v1/servers", { regoin: "us-west" }));
  // @ts-expect-error 'timeoutMS'
  out.push(await com.GET("/compute-ops-mgmt/v1/servers", { timeoutMS: 5_000 }));
  // @ts-expect-error 'tenantACID'
  out.push(await com.withRegion("eu-central").GET("/compute-ops-mgmt/v1/servers", { tenantACID: "acid" }));
  // @ts-expect-error 'keepAlive'
  out.push(await com.DELETE("/compute-ops-mgmt/v1/servers/{id}", { params: { path: { id: "x" } }, keepAlive: true }));
  // @ts-expect-error 'qurey'
  out.push(await com.GET("/compute-ops-mgmt/v1/servers/{id}", { params: { path: { id: "x" }, qurey: { filter: "a" } } }));
  // @ts-expect-error 'ofset'
  out.push(await com.GET("/compute-ops-mgmt/v1/servers", { params: { query: { limit: 10, ofset: 10 } } }));
  // @ts-expect-error 'jobTemplte'
  out.push(await com.POST("/compute-ops-mgmt/v1/jobs", { body: { jobTemplte: "t", resourceId: "r", resourceType: "x" } }));
  // @ts-expect-error 'resourceTipe'
  out.push(await com.request("post", "/compute-ops-mgmt/v1/jobs", { body: { ...job, resourceTipe: "x" } }));
  // @ts-expect-error 'pathSerializer'
  out.push(await com.GET("/compute-ops-mgmt/v1/servers", { pathSerializer: (p: string) => p }));
  // @ts-expect-error 'baseUrl'
  out.push(await com.GET("/compute-ops-mgmt/v1/servers", { baseUrl: "https://elsewhere.example" }));
  // @ts-expect-error 'string' is not assignable
  out.push(await com.GET("/compute-ops-mgmt/v1/servers", { dispatcher: "proxy" }));
  // @ts-expect-error 'body' is missing
  out.push(await com.POST("/compute-ops-mgmt/v1/jobs", {}));
  // @ts-expect-error Expected 2 arguments
  out.push(await com.GET("/compute-ops-mgmt/v1/servers/{id}"));
  return out;
}

/** The response type still follows from the path, and `parseAs` from the init. */
export async function inference(): Promise<string> {
  const com = createComputeOpsMgmtClient({ region: "us-west" });
  const { data } = await com.GET("/compute-ops-mgmt/v1/servers/{id}", { params: { path: { id: "x" } } });
  const job = (await com.POST("/compute-ops-mgmt/v1/jobs", { body: { jobTemplate: "t", resourceId: "r", resourceType: "x" } })).data;
  const text: string | undefined = (await com.GET("/compute-ops-mgmt/v1/servers", { parseAs: "text" })).data;
  const stream: ReadableStream<Uint8Array> | null | undefined = (await com.GET("/compute-ops-mgmt/v1/servers", { parseAs: "stream" })).data;
  // @ts-expect-error 'nmae' does not exist
  const misspelt: unknown = data?.nmae;
  return `${data?.id}${data?.name}${job?.id}${text}${String(stream)}${String(misspelt)}`;
}

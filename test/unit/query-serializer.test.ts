import { describe, expect, it } from "vitest";
import type { ServiceMetadata } from "../../src/metadata.js";
import { querySerializerFor } from "../../src/internal/query-serializer.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, stubFetch } from "./support/fixtures.js";

const service: ServiceMetadata = {
  service: "devices",
  documents: ["devices"],
  servers: { "us-west": "https://us-west.example.test" },
  operations: [
    { method: "get", path: "/devices/v1/devices", operationId: "listDevices", deprecated: false, document: "devices", commaJoinedQuery: ["select"] },
    { method: "get", path: "/devices/v1/devices/{id}", operationId: "getDevice", deprecated: false, document: "devices" },
    { method: "post", path: "/devices/v1/devices", operationId: "addDevice", deprecated: false, document: "devices" },
  ],
};

type Call = (path: string, init?: unknown) => Promise<unknown>;

function client() {
  const { fetch, requests } = stubFetch(() => json({ items: [] }));
  const devices = createServiceClient<{}>(service, { token: "t", region: "us-west", fetch, env: {} });
  const search = (i = 0) => new URL(requests[i]!.url).search;
  return { get: devices.GET as unknown as Call, post: devices.POST as unknown as Call, request: devices.request as unknown as (m: string, p: string, i?: unknown) => Promise<unknown>, search };
}

describe("query serialization per operation", () => {
  it("joins the operation's comma-joined arrays, encoding each item, and repeats its other arrays", async () => {
    const { get, search } = client();
    await get("/devices/v1/devices", { params: { query: { select: ["id", "a,b", "x+y z"], id: ["1", "2"], filter: "name eq 'a+b'", limit: 5 } } });
    expect(search()).toBe("?select=id,a%2Cb,x%2By%20z&id=1&id=2&filter=name%20eq%20%27a%2Bb%27&limit=5");
  });

  it("repeats arrays on operations whose document does not join them", async () => {
    const { get, post, search } = client();
    await get("/devices/v1/devices/{id}", { params: { path: { id: "d+1" }, query: { select: ["id", "name"] } } });
    await post("/devices/v1/devices", { params: { query: { select: ["id", "name"] } }, body: {} });
    expect(search(0)).toBe("?select=id&select=name");
    expect(search(1)).toBe("?select=id&select=name");
  });

  it("joins through client.request too, whatever the method's case", async () => {
    const { request, search } = client();
    await request("get", "/devices/v1/devices", { params: { query: { select: ["id", "name"] } } });
    expect(search()).toBe("?select=id,name");
  });

  it("leaves the query to a serializer the caller passes", async () => {
    const { get, search } = client();
    await get("/devices/v1/devices", { params: { query: { select: ["id", "name"] } }, querySerializer: { array: { style: "pipeDelimited", explode: false } } });
    await get("/devices/v1/devices", { params: { query: { select: ["id"] } }, querySerializer: () => "custom=1" });
    expect(search(0)).toBe("?select=id|name");
    expect(search(1)).toBe("?custom=1");
  });

  it("keeps the caller's init untouched", async () => {
    const { get } = client();
    const init = { params: { query: { select: ["id", "name"] } } };
    await get("/devices/v1/devices", init);
    expect(init).toEqual({ params: { query: { select: ["id", "name"] } } });
  });
});

describe("querySerializerFor", () => {
  it("drops empty arrays and missing values like openapi-fetch does", () => {
    const serialize = querySerializerFor("GET", "/devices/v1/devices", new Set(["select"]));
    expect(serialize({ select: [], sort: undefined, filter: null, limit: 0 })).toBe("limit=0");
    expect(serialize({ select: "id" })).toBe("select=id");
    expect(serialize({ select: ["a"], where: { name: "x y" } })).toBe("select=a&where[name]=x%20y");
  });
});

import { describe, expect, it } from "vitest";
import { contentTypesOf, declaredContentType, isJsonMediaType, withContentType } from "../../src/internal/media-types.js";
import type { ServiceMetadata } from "../../src/metadata.js";
import { createServiceClient } from "../../src/service-client.js";
import { representatives } from "../scope.js";
import { describeBodiesOnTheWire, devicesPatch, withBody } from "./support/bodies-on-the-wire.js";
import { json, stubFetch } from "./support/fixtures.js";

describe("isJsonMediaType", () => {
  it("accepts application/json and structured +json types, with parameters and in any case", () => {
    for (const type of ["application/json", "application/merge-patch+json", "application/scim+json", "Application/JSON; charset=utf-8", "application/vnd.hpe.v1+json"]) {
      expect(isJsonMediaType(type), type).toBe(true);
    }
  });

  it("refuses forms, text and look-alikes", () => {
    for (const type of ["multipart/form-data", "application/x-www-form-urlencoded", "text/plain", "application/jsonl", "application/json-seq", "text/csv+jsonx", "+json"]) {
      expect(isJsonMediaType(type), type).toBe(false);
    }
  });
});

describe("declaredContentType", () => {
  it("keeps openapi-fetch's application/json when the operation declares it or no body", () => {
    expect(declaredContentType(undefined)).toBeUndefined();
    expect(declaredContentType(["application/json"])).toBeUndefined();
    expect(declaredContentType(["application/merge-patch+json", "application/json; charset=utf-8"])).toBeUndefined();
  });

  it("names the first JSON type declared otherwise", () => {
    expect(declaredContentType(["application/merge-patch+json"])).toBe("application/merge-patch+json");
    expect(declaredContentType(["text/plain", "application/scim+json", "application/merge-patch+json"])).toBe("application/scim+json");
  });

  it("names a urlencoded form when no JSON type is declared, and nothing for multipart or other types", () => {
    expect(declaredContentType(["multipart/form-data", "application/x-www-form-urlencoded"])).toBe("application/x-www-form-urlencoded");
    expect(declaredContentType(["multipart/form-data"])).toBeUndefined();
    expect(declaredContentType(["application/octet-stream"])).toBeUndefined();
  });
});

describe("withContentType", () => {
  const patch = "application/merge-patch+json";

  it("adds the type to a call with a body, copying the caller's headers", () => {
    const init = { body: { a: 1 }, headers: { "X-Trace": "1" } };
    expect(withContentType(init, patch)).toEqual({ body: { a: 1 }, headers: { "X-Trace": "1", "Content-Type": patch } });
    expect(init).toEqual({ body: { a: 1 }, headers: { "X-Trace": "1" } });
    const headers = new Headers({ "X-Trace": "1" });
    const typed = withContentType({ body: {}, headers }, patch);
    expect((typed.headers as Headers).get("content-type")).toBe(patch);
    expect(headers.has("content-type")).toBe(false);
    expect(new Headers(withContentType({ body: {}, headers: [["X-Trace", "1"]] as const }, patch).headers as unknown as Headers).get("content-type")).toBe(patch);
  });

  it("leaves calls alone without a type, without a body, with FormData, or naming their own Content-Type", () => {
    const cases = [
      { body: { a: 1 } },
      { headers: { "X-Trace": "1" } },
      { body: new FormData() },
      { body: {}, headers: { "content-TYPE": "application/json" } },
      { body: {}, headers: { "Content-Type": null } },
      { body: {}, headers: new Headers({ "Content-Type": "text/plain" }) },
      { body: {}, headers: [["content-type", "text/plain"]] as const },
      { body: {}, params: { header: { "Content-Type": "application/json" } } },
    ];
    expect(withContentType(cases[0], undefined)).toBe(cases[0]);
    for (const init of cases.slice(1)) expect(withContentType(init, patch)).toBe(init);
    expect(withContentType(undefined, patch)).toBeUndefined();
  });
});

const devices: ServiceMetadata = {
  service: "devices",
  documents: ["devices"],
  servers: { "us-west": "https://us-west.example.test" },
  operations: [
    { method: "patch", path: "/devices/v1/devices", operationId: "patchDevices", deprecated: false, document: "devices", requestMediaTypes: ["application/merge-patch+json"] },
    { method: "post", path: "/devices/v1/devices", operationId: "addDevices", deprecated: false, document: "devices", requestMediaTypes: ["application/json"] },
    { method: "post", path: "/devices/v1/forms", operationId: "postForm", deprecated: false, document: "devices", requestMediaTypes: ["application/x-www-form-urlencoded"] },
    { method: "post", path: "/devices/v1/uploads", operationId: "upload", deprecated: false, document: "devices", requestMediaTypes: ["multipart/form-data"] },
  ],
};

describe("contentTypesOf", () => {
  it("lists only the operations whose body must not go out as application/json, once per metadata", () => {
    const types = contentTypesOf(devices);
    expect([...types.entries()].map(([method, byPath]) => [method, [...byPath.entries()]])).toEqual([
      ["PATCH", [["/devices/v1/devices", "application/merge-patch+json"]]],
      ["POST", [["/devices/v1/forms", "application/x-www-form-urlencoded"]]],
    ]);
    expect(contentTypesOf(devices)).toBe(types);
  });
});

type Call = (path: string, init?: unknown) => Promise<unknown>;

describe("request bodies on the wire", () => {
  function client() {
    const { fetch, requests } = stubFetch(() => json({}));
    const c = createServiceClient<{}>(devices, { token: "t", region: "us-west", fetch, env: {} }) as unknown as Record<string, Call> & { request: (m: string, p: string, i?: unknown) => Promise<unknown> };
    return { c, requests };
  }

  it("sends each body as its operation declares, through every entry point", async () => {
    const { c, requests } = client();
    await c.PATCH!("/devices/v1/devices", { body: { tags: { a: null } } });
    await c.request("patch", "/devices/v1/devices", { body: [] });
    await c.POST!("/devices/v1/devices", { body: { id: "x" } });
    await c.POST!("/devices/v1/forms", { body: { name: "a b", n: "1" } });
    const form = new FormData();
    form.append("file", new Blob(["a,b\n"], { type: "text/csv" }), "sites.csv");
    await c.POST!("/devices/v1/uploads", { body: form });
    expect(requests.map((r) => r.headers.get("content-type"))).toEqual([
      "application/merge-patch+json",
      "application/merge-patch+json",
      "application/json",
      "application/x-www-form-urlencoded",
      expect.stringMatching(/^multipart\/form-data; boundary=/),
    ]);
    expect(requests.slice(0, 4).map((r) => r.body)).toEqual(['{"tags":{"a":null}}', "[]", '{"id":"x"}', "name=a+b&n=1"]);
    expect(requests[4]!.body).toContain('filename="sites.csv"');
  });

  it("lets the caller's Content-Type win and keeps the caller's init untouched", async () => {
    const { c, requests } = client();
    const init = { body: { a: 1 }, headers: { "content-type": "application/json" } };
    await c.PATCH!("/devices/v1/devices", init);
    expect(requests[0]!.headers.get("content-type")).toBe("application/json");
    expect(init).toEqual({ body: { a: 1 }, headers: { "content-type": "application/json" } });
  });
});

// npm test sends one operation for each service and media types declared, and for each method, media types and
// presence of path parameters; media-types-every-operation.test.ts (npm run test:all) sends every one.
const ofEachKind = representatives(
  [devicesPatch, ...withBody],
  (op) => `${op.service} ${op.requestMediaTypes.join()}`,
  (op) => `${op.method} ${op.requestMediaTypes.join()} ${op.path.includes("{")}`,
);
describeBodiesOnTheWire("one operation of each kind with a body, against a loopback server", ofEachKind, 100);

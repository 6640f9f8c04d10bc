import fc from "fast-check";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceMetadata } from "../../generated/services/index.js";
import { contentTypesOf, declaredContentType, isJsonMediaType, withContentType } from "../../src/internal/media-types.js";
import type { ServiceMetadata } from "../../src/metadata.js";
import { createServiceClient } from "../../src/service-client.js";
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

const services = serviceMetadata as Record<string, ServiceMetadata>;

interface BodyOperation {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly requestMediaTypes: readonly string[];
}

/** Every operation of the generated services that takes a request body (small, so counterexamples read well). */
const withBody: BodyOperation[] = Object.entries(services).flatMap(([service, metadata]) =>
  metadata.operations.flatMap((op) => (op.requestMediaTypes === undefined ? [] : [{ service, method: op.method, path: op.path, requestMediaTypes: op.requestMediaTypes }])),
);
const devicesPatch = withBody.find((op) => op.method === "patch" && op.path === "/devices/v1/devices")!;

/** What the operation's document says a body goes out as, worked out here independently of src/. */
function expectedType(declared: readonly string[]): RegExp | string {
  if (declared.includes("application/json")) return "application/json";
  const json = declared.find((type) => /^application\/[^/]+\+json$/.test(type));
  if (json !== undefined) return json;
  if (declared.includes("multipart/form-data")) return /^multipart\/form-data; boundary=\S+$/;
  throw new Error(`no expectation for ${declared.join(", ")}`);
}

describe("every operation with a body, against a loopback server", () => {
  let server: Server;
  let baseUrl: string;
  const received: { method: string; url: string; contentType: string | undefined; body: string }[] = [];
  const clients = new Map<string, Record<string, Call> & { request: (m: string, p: string, i?: unknown) => Promise<unknown> }>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ method: req.method!, url: req.url!, contentType: req.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function clientOf(service: string) {
    let c = clients.get(service);
    if (c === undefined) {
      c = createServiceClient<{}>(services[service]!, { token: "t", baseUrl, retry: false, env: {} }) as never;
      clients.set(service, c);
    }
    return c;
  }

  function pathParams(path: string, id: string): Record<string, string> {
    return Object.fromEntries([...path.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1]!, id]));
  }

  it("covers the operations HPE's documents declare with a body", () => {
    expect(withBody.length).toBeGreaterThan(300);
    expect(devicesPatch.requestMediaTypes).toEqual(["application/merge-patch+json"]);
  });

  const callerHeaders = fc.oneof(
    fc.constant(undefined),
    fc.record({ kind: fc.constantFrom("object", "Headers", "params"), name: fc.constantFrom("Content-Type", "content-type", "CONTENT-TYPE"), value: fc.constantFrom("application/json", "text/plain; charset=utf-8", "application/vnd.custom+json") }),
    fc.record({ kind: fc.constantFrom("other"), name: fc.constantFrom("X-Request-Id"), value: fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/) }),
  );

  // fast-check runs examples first and counts them in numRuns.
  const everyOperation = [devicesPatch, ...withBody.filter((op) => op !== devicesPatch)].map((op): [BodyOperation, string, string, undefined, boolean] => [op, '{"a":[1,null]}', "id", undefined, false]);

  it("the server receives the declared media type (or the caller's own) and the body intact", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody),
        fc.json(),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
        callerHeaders,
        fc.boolean(),
        async (op, text, id, header, viaRequest) => {
          received.length = 0;
          const multipart = !op.requestMediaTypes.some((t) => t === "application/json" || t.endsWith("+json"));
          let body: unknown = JSON.parse(text);
          if (multipart) {
            const form = new FormData();
            form.append("file", new Blob([text], { type: "text/csv" }), "upload.csv");
            body = form;
          }
          const init: Record<string, unknown> = { params: { path: pathParams(op.path, id) }, body, parseAs: "text" };
          if (header?.kind === "object" || header?.kind === "other") init.headers = { [header.name]: header.value };
          if (header?.kind === "Headers") init.headers = new Headers({ [header.name]: header.value });
          if (header?.kind === "params") init.params = { path: pathParams(op.path, id), header: { [header.name]: header.value } };
          const client = clientOf(op.service);
          if (viaRequest) await client.request(op.method, op.path, init);
          else await client[op.method.toUpperCase()]!(op.path, init);

          expect(received).toHaveLength(1);
          const [got] = received;
          expect(got!.method).toBe(op.method.toUpperCase());
          const callerType = header !== undefined && header.kind !== "other" ? header.value : undefined;
          const expected = callerType ?? expectedType(op.requestMediaTypes);
          if (typeof expected === "string") expect(got!.contentType).toBe(expected);
          else expect(got!.contentType).toMatch(expected);
          if (multipart) expect(got!.body).toContain(text);
          else expect(JSON.parse(got!.body)).toEqual(JSON.parse(text));
        },
      ),
      // Every operation once, the device PATCH first (a strict server refuses it as application/json), then 200 random cases.
      { numRuns: everyOperation.length + 200, examples: everyOperation },
    );
    // Each run is a real loopback round trip; a machine busy with other suites needs more than the default 5 s.
  }, 300_000);
});

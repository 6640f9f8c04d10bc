import { describe, expect, it } from "vitest";
import { corrections } from "../../src/specs/corrections.js";
import { applyCorrections, unknownCorrectionTargets } from "../../src/specs/apply-corrections.js";
import {
  addMissingOperationIds,
  allowRelativeLocationHeaders,
  anyOfForIndistinguishableOneOf,
  defineSecurityScheme,
  dropTypeContradictingAlternatives,
  dropUrlRefsFromExamples,
  inlineNestedRefs,
  inlineNullableAllOfMembers,
  nameServerRegions,
  operationIdFromPath,
  removeIgnoredHeaderParameters,
  removeOneOf,
  requireOnlyDefinedProperties,
  setBodySchema,
  setPagination,
} from "../../src/specs/correction-helpers.js";
import { loadManifest } from "../../src/specs/manifest.js";
import type { OpenApiDocument } from "../../src/specs/openapi.js";
import { defaultManifestPath } from "../../scripts/lib/paths.js";
import { widgetsDocument } from "./helpers.js";

describe("src/specs/corrections.ts", () => {
  it("gives every correction a one-line reason and only known document keys", async () => {
    const manifest = await loadManifest(defaultManifestPath);
    for (const correction of corrections) {
      expect(correction.reason.trim().length).toBeGreaterThan(20);
      expect(correction.reason).not.toContain("\n");
    }
    expect(unknownCorrectionTargets(corrections, manifest.documents.map((d) => d.key))).toEqual([]);
  });

  it("marks GET /identity/v1/users as paging by pages", () => {
    const identity = corrections.find((c) => c.reason.includes("/identity/v1/users"))!;
    const doc = { paths: { "/identity/v1/users": { get: { operationId: "users" } } } } as OpenApiDocument;
    expect(identity.apply(doc, "identity__identity-v1-nb-openapi-identity")).toBe(true);
    expect((doc.paths!["/identity/v1/users"]!.get as any)["x-greenlake-pagination"]).toEqual({ style: "offset-pages" });
  });
});

describe("applyCorrections", () => {
  const rename = { reason: "rename title", documents: ["widgets"], apply: (d: OpenApiDocument) => ((d as any).info.title = "Renamed") !== undefined };
  const noop = { reason: "nothing to do", documents: ["widgets"], apply: () => false };
  const global = { reason: "everywhere, nothing to do", documents: "all" as const, apply: () => false };
  const other = { reason: "other document", documents: ["gadgets"], apply: () => true };

  it("corrects a copy, reports what applied and which named correction found nothing", () => {
    const upstream = widgetsDocument();
    const result = applyCorrections("widgets", upstream, [rename, noop, global, other]);
    expect((result.document as any).info.title).toBe("Renamed");
    expect((upstream as any).info.title).toBe("Widgets");
    expect(result.applied).toEqual(["rename title"]);
    expect(result.unused).toEqual(["nothing to do"]);
  });

  it("names the document and the correction when one fails", () => {
    const broken = { reason: "needs a missing operation", documents: "all" as const, apply: setPagination("get", "/nope", { style: "cursor" }) };
    expect(() => applyCorrections("widgets", widgetsDocument(), [broken])).toThrow('widgets: correction "needs a missing operation" failed: no operation GET /nope');
  });

  it("lists corrections aimed at documents the manifest lacks", () => {
    expect(unknownCorrectionTargets([rename, other, global], ["widgets"])).toEqual(["gadgets"]);
  });
});

describe("correction helpers", () => {
  it("names every server's region, at document, path and operation level", () => {
    const doc = widgetsDocument() as any;
    doc.paths["/widgets/v1/events"].servers = [{ url: "https://jp1.data.cloud.hpe.com" }];
    doc.paths["/widgets/v1/events"].get.servers = [{ url: "https://global.api.greenlake.hpe.com" }];
    expect(nameServerRegions(doc)).toBe(true);
    expect(doc.servers.map((s: any) => s["x-greenlake-region"])).toEqual(["us-west", "eu-central"]);
    expect(doc.paths["/widgets/v1/events"].servers[0]["x-greenlake-region"]).toBe("ap-northeast");
    expect(doc.paths["/widgets/v1/events"].get.servers[0]["x-greenlake-region"]).toBe("global");
    expect(nameServerRegions(doc)).toBe(false);
  });

  it("refuses a server in no known region", () => {
    const doc = { servers: [{ url: "https://api.example.com" }], paths: {} } as OpenApiDocument;
    expect(() => nameServerRegions(doc)).toThrow("server https://api.example.com serves no known region");
  });

  it("derives missing operationIds from method and path, unique within the document", () => {
    const doc = widgetsDocument() as any;
    delete doc.paths["/widgets/v1/widgets/{id}"].get.operationId;
    delete doc.paths["/widgets/v1/events"].get.operationId;
    doc.paths["/widgets/v1/widgets"].post.operationId = "getWidgetsV1Events";
    expect(addMissingOperationIds(doc)).toBe(true);
    expect(doc.paths["/widgets/v1/widgets/{id}"].get.operationId).toBe("getWidgetsV1WidgetsById");
    expect(doc.paths["/widgets/v1/events"].get.operationId).toBe("getWidgetsV1Events2");
    expect(addMissingOperationIds(doc)).toBe(false);
    expect(operationIdFromPath("get", "/reporting/v1/async-operations/{id}")).toBe("getReportingV1AsyncOperationsById");
  });

  it("defines a missing security scheme once", () => {
    const doc = widgetsDocument();
    const define = defineSecurityScheme("JWTBearer", { type: "http", scheme: "bearer" });
    expect(define(doc)).toBe(true);
    expect(doc.components!.securitySchemes).toEqual({ JWTBearer: { type: "http", scheme: "bearer" } });
    expect(define(doc)).toBe(false);
  });

  it("inlines references through array items and nested properties, keeping the rest", () => {
    const doc = widgetsDocument() as any;
    doc.components.schemas.Template = {
      type: "object",
      properties: { steps: { type: "array", items: { type: "object", properties: { id: { type: "string", format: "uuid" } } } }, owner: { type: "object", properties: { name: { type: "string" } } } },
    };
    doc.components.schemas.Job = {
      type: "object",
      properties: {
        step: { $ref: "#/components/schemas/Template/properties/steps/items/properties/id" },
        owner: { $ref: "#/components/schemas/Template/properties/owner/properties/name", description: "kept" },
        shallow: { $ref: "#/components/schemas/Template/properties/owner" },
      },
    };
    expect(inlineNestedRefs(doc)).toBe(true);
    expect(doc.components.schemas.Job.properties).toEqual({
      step: { type: "string", format: "uuid" },
      owner: { type: "string", description: "kept" },
      shallow: { $ref: "#/components/schemas/Template/properties/owner" },
    });
    expect(inlineNestedRefs(doc)).toBe(false);
  });

  it("removes a schema's oneOf", () => {
    const doc = widgetsDocument() as any;
    doc.components.schemas.Widget.oneOf = [{ $ref: "#/components/schemas/Widget/properties/name" }];
    expect(removeOneOf("Widget")(doc)).toBe(true);
    expect(doc.components.schemas.Widget.oneOf).toBeUndefined();
    expect(removeOneOf("Widget")(doc)).toBe(false);
  });

  it("replaces nullable allOf members under `required` by non-null copies", () => {
    const doc = widgetsDocument() as any;
    doc.components.schemas.IdPart = { type: ["object", "null"], properties: { id: { type: "string" } } };
    doc.components.schemas.Witness = { allOf: [{ $ref: "#/components/schemas/IdPart" }, { $ref: "#/components/schemas/Collection" }], required: ["id"], type: ["object", "null"] };
    expect(inlineNullableAllOfMembers(doc)).toBe(true);
    expect(doc.components.schemas.Witness.allOf).toEqual([{ type: "object", properties: { id: { type: "string" } } }, { $ref: "#/components/schemas/Collection" }]);
    expect(doc.components.schemas.IdPart.type).toEqual(["object", "null"]);
  });

  it("drops URL `$ref` members from example values only", () => {
    const doc = widgetsDocument() as any;
    const member = { value: "u1", $ref: "https://example.com/v2/Users/u1" };
    doc.paths["/widgets/v1/widgets"].post.requestBody.content["application/json"].examples = { add: { value: { members: [member] } } };
    doc.components.schemas.Widget.example = { owner: { $ref: "https://example.com/Users/u2" } };
    expect(dropUrlRefsFromExamples(doc)).toBe(true);
    expect(doc.paths["/widgets/v1/widgets"].post.requestBody.content["application/json"].examples.add.value.members).toEqual([{ value: "u1" }]);
    expect(doc.components.schemas.Widget.example).toEqual({ owner: {} });
    expect(doc.paths["/widgets/v1/widgets"].post.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/WidgetCreate" });
    expect(dropUrlRefsFromExamples(doc)).toBe(false);
  });

  it("replaces one response or request body schema, keeping the upstream description", () => {
    const doc = widgetsDocument() as any;
    doc.paths["/widgets/v1/widgets/{id}"].get.responses["200"].content["application/x-pem-file"] = { schema: { description: "PEM file", type: "object" } };
    const pem = setBodySchema({ method: "get", path: "/widgets/v1/widgets/{id}", status: "200", mediaType: "application/x-pem-file" }, { type: "string" });
    expect(pem(doc)).toBe(true);
    expect(doc.paths["/widgets/v1/widgets/{id}"].get.responses["200"].content["application/x-pem-file"].schema).toEqual({ description: "PEM file", type: "string" });
    expect(doc.paths["/widgets/v1/widgets/{id}"].get.responses["200"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Widget" });
    expect(pem(doc)).toBe(false);

    doc.paths["/widgets/v1/widgets"].post.requestBody = { $ref: "#/components/requestBodies/Upload" };
    doc.components.requestBodies = { Upload: { content: { "multipart/form-data": { schema: { type: "array", items: { type: "object" } } } } } };
    const form = { type: "object", properties: { file: { type: "string", format: "binary" } }, required: ["file"] };
    expect(setBodySchema({ method: "post", path: "/widgets/v1/widgets", mediaType: "multipart/form-data" }, form)(doc)).toBe(true);
    expect(doc.components.requestBodies.Upload.content["multipart/form-data"].schema).toEqual(form);
    expect(() => setBodySchema({ method: "post", path: "/widgets/v1/widgets", mediaType: "text/csv" }, form)(doc)).toThrow("no text/csv body at POST /widgets/v1/widgets request");
  });

  it("turns a oneOf into anyOf only where two alternatives accept an empty object", () => {
    const doc = widgetsDocument() as any;
    doc.components.schemas.Basic = { type: "object", properties: { username: { type: "string" } } };
    doc.components.schemas.Token = { type: ["object", "null"], properties: { token: { type: "string" } } };
    const overlapping = { oneOf: [{ $ref: "#/components/schemas/Basic" }, { $ref: "#/components/schemas/Token" }] };
    const inline = { oneOf: [{ properties: { model: { type: "string" } } }, { properties: { tags: { type: "array" } } }] };
    const exclusive = { oneOf: [{ required: ["name", "filter"] }, { required: ["name", "filterTags"] }] };
    const nullable = { oneOf: [{ $ref: "#/components/schemas/Basic" }, { type: "null" }] };
    const oneEmpty = { oneOf: [{ $ref: "#/components/schemas/Basic" }, { type: "object", required: ["id"] }, { type: "object", minProperties: 1 }] };
    const discriminated = { oneOf: [{ $ref: "#/components/schemas/Basic" }, { $ref: "#/components/schemas/Token" }], discriminator: { propertyName: "kind" } };
    doc.components.schemas.Holder = { type: "object", properties: { overlapping, inline, exclusive, nullable, oneEmpty, discriminated } };
    expect(anyOfForIndistinguishableOneOf(doc)).toBe(true);
    const props = doc.components.schemas.Holder.properties;
    expect(props.overlapping).toEqual({ anyOf: [{ $ref: "#/components/schemas/Basic" }, { $ref: "#/components/schemas/Token" }] });
    expect(props.inline.anyOf).toHaveLength(2);
    expect(props.inline.oneOf).toBeUndefined();
    for (const kept of ["exclusive", "nullable", "oneEmpty", "discriminated"]) expect(Array.isArray(props[kept].oneOf)).toBe(true);
    expect(Object.keys(props).filter((key) => props[key].anyOf)).toEqual(["overlapping", "inline"]);
    expect(anyOfForIndistinguishableOneOf(doc)).toBe(false);
  });

  it("drops a type that none of the oneOf alternatives allows", () => {
    const doc = widgetsDocument() as any;
    const contradicting = { type: "object", oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] };
    const agreeing = { type: "object", oneOf: [{ type: "object" }, { type: "null" }] };
    const numeric = { type: "number", anyOf: [{ type: "integer" }] };
    const untyped = { type: "object", oneOf: [{ type: "string" }, { $ref: "#/components/schemas/Loose" }] };
    doc.components.schemas.Loose = { description: "no type" };
    doc.components.schemas.Holder = { type: "object", properties: { contradicting, agreeing, numeric, untyped } };
    expect(dropTypeContradictingAlternatives(doc)).toBe(true);
    const props = doc.components.schemas.Holder.properties;
    expect(props.contradicting).toEqual({ oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] });
    expect([props.agreeing.type, props.numeric.type, props.untyped.type]).toEqual(["object", "number", "object"]);
    expect(dropTypeContradictingAlternatives(doc)).toBe(false);
  });

  it("fixes the letter case of required names and drops names defined nowhere around the schema", () => {
    const doc = widgetsDocument() as any;
    doc.components.schemas.Script = { type: "object", properties: { path: { type: "string" }, hostId: { type: "string" } }, required: ["path", "hostID", "type", "path"] };
    doc.components.schemas.Page = { type: "object", properties: { count: { type: "integer" } } };
    doc.components.schemas.Collection = { allOf: [{ $ref: "#/components/schemas/Page" }, { type: "object", properties: { items: { type: "array" } }, required: ["items", "count", "total"] }] };
    doc.components.schemas.Parent = { type: "object", properties: { name: { type: "string" } }, oneOf: [{ properties: { a: { type: "string" } }, required: ["name", "a"] }] };
    doc.components.schemas.Open = { type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "string" }, required: ["b"] };
    expect(requireOnlyDefinedProperties(doc)).toBe(true);
    expect(doc.components.schemas.Script.required).toEqual(["path", "hostId", "path"]);
    expect(doc.components.schemas.Collection.allOf[1].required).toEqual(["items", "count"]);
    expect(doc.components.schemas.Parent.oneOf[0].required).toEqual(["name", "a"]);
    expect(doc.components.schemas.Open.required).toEqual(["b"]);
    expect(requireOnlyDefinedProperties(doc)).toBe(false);
  });

  it("lets Location headers typed uri or url carry relative references", () => {
    const doc = widgetsDocument() as any;
    doc.components.headers = { Location: { schema: { type: "string", format: "url" } }, ETag: { schema: { type: "string", format: "uri" } } };
    doc.paths["/widgets/v1/widgets"].post.responses["201"].headers = { Location: { $ref: "#/components/headers/Location" } };
    doc.paths["/widgets/v1/widgets/{id}"].delete.responses["204"].headers = { location: { schema: { type: "string", format: "uri" } }, Link: { schema: { type: "string", format: "uri" } } };
    expect(allowRelativeLocationHeaders(doc)).toBe(true);
    expect(doc.components.headers.Location.schema.format).toBe("uri-reference");
    expect(doc.paths["/widgets/v1/widgets/{id}"].delete.responses["204"].headers.location.schema.format).toBe("uri-reference");
    expect(doc.paths["/widgets/v1/widgets/{id}"].delete.responses["204"].headers.Link.schema.format).toBe("uri");
    expect(doc.components.headers.ETag.schema.format).toBe("uri");
    expect(allowRelativeLocationHeaders(doc)).toBe(false);
  });

  it("removes Accept, Content-Type and Authorization header parameters, in any letter case, whether inline or referenced", () => {
    const doc = widgetsDocument() as any;
    doc.components.parameters = { ContentType: { name: "content-type", in: "header", required: true, schema: { type: "string" } } };
    const tenant = { name: "Tenant-Acid", in: "header", schema: { type: "string" } };
    const acceptQuery = { name: "Accept", in: "query", schema: { type: "string" } };
    doc.paths["/widgets/v1/widgets"].parameters = [{ name: "Authorization", in: "header", required: true, schema: { type: "string" } }];
    doc.paths["/widgets/v1/widgets"].post.parameters = [{ $ref: "#/components/parameters/ContentType" }, tenant, { name: "ACCEPT", in: "header", schema: { type: "string" } }, acceptQuery];
    expect(removeIgnoredHeaderParameters(doc)).toBe(true);
    expect(doc.paths["/widgets/v1/widgets"].parameters).toBeUndefined();
    expect(doc.paths["/widgets/v1/widgets"].post.parameters).toEqual([tenant, acceptQuery]);
    expect(removeIgnoredHeaderParameters(doc)).toBe(false);
  });

  it("is applied to every document", () => {
    const correction = corrections.find((c) => c.apply === removeIgnoredHeaderParameters);
    expect(correction?.documents).toBe("all");
  });
});

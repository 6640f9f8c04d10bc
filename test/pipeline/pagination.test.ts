import { describe, expect, it } from "vitest";
import { listOperations, type OpenApiDocument } from "../../src/specs/openapi.js";
import { detectPagination, paginationFor, PAGINATION_EXTENSION } from "../../src/specs/pagination.js";
import { regionForServerUrl } from "../../src/specs/regions.js";
import { widgetsDocument } from "./helpers.js";

function operation(document: OpenApiDocument, method: string, path: string) {
  const ref = listOperations(document).find((op) => op.method === method && op.path === path);
  if (!ref) throw new Error(`no ${method} ${path}`);
  return ref;
}

describe("detectPagination", () => {
  const doc = widgetsDocument();

  it("finds offset paging counted in items, through path-level $ref parameters and allOf responses", () => {
    expect(detectPagination(doc, operation(doc, "get", "/widgets/v1/widgets"))).toEqual({
      style: "offset-items",
      limitParam: "limit",
      pageParam: "offset",
      maxPageSize: 50,
      itemsField: "items",
      totalField: "total",
    });
  });

  it("finds cursor paging when the `next` parameter comes back as a `next` field", () => {
    expect(detectPagination(doc, operation(doc, "get", "/widgets/v1/events"))).toEqual({
      style: "cursor",
      limitParam: "limit",
      pageParam: "next",
      maxPageSize: 200,
      itemsField: "items",
      nextField: "next",
    });
  });

  it("leaves single-resource and non-GET operations alone", () => {
    expect(detectPagination(doc, operation(doc, "get", "/widgets/v1/widgets/{id}"))).toBeUndefined();
    expect(detectPagination(doc, operation(doc, "post", "/widgets/v1/widgets"))).toBeUndefined();
  });

  it("needs a page parameter, not just `limit`", () => {
    const limited = widgetsDocument() as any;
    limited.paths["/widgets/v1/widgets"].get.parameters = [];
    expect(detectPagination(limited, operation(limited, "get", "/widgets/v1/widgets"))).toBeUndefined();
  });

  it("omits totalField and maxPageSize when the document does not state them", () => {
    const bare = widgetsDocument() as any;
    delete bare.components.schemas.Collection.properties.total;
    delete bare.components.parameters.Limit.schema.maximum;
    expect(detectPagination(bare, operation(bare, "get", "/widgets/v1/widgets"))).toEqual({
      style: "offset-items",
      limitParam: "limit",
      pageParam: "offset",
      itemsField: "items",
    });
  });

  it("takes the only array field as the items when it is not called `items`", () => {
    const scimLike = widgetsDocument() as any;
    scimLike.components.schemas.WidgetList = {
      type: "object",
      properties: { Resources: { type: "array", items: { type: "object" } }, total: { type: "integer" } },
    };
    expect(detectPagination(scimLike, operation(scimLike, "get", "/widgets/v1/widgets"))?.itemsField).toBe("Resources");
  });
});

describe("paginationFor", () => {
  it("applies a correction's partial override on top of detection", () => {
    const doc = widgetsDocument() as any;
    doc.paths["/widgets/v1/widgets"].get[PAGINATION_EXTENSION] = { style: "offset-pages" };
    expect(paginationFor(doc, operation(doc, "get", "/widgets/v1/widgets"))).toMatchObject({ style: "offset-pages", pageParam: "offset", maxPageSize: 50 });
  });

  it("lets a correction declare that an operation does not page", () => {
    const doc = widgetsDocument() as any;
    doc.paths["/widgets/v1/events"].get[PAGINATION_EXTENSION] = false;
    expect(paginationFor(doc, operation(doc, "get", "/widgets/v1/events"))).toBeUndefined();
  });

  it("rejects an override that leaves the metadata incomplete", () => {
    const doc = widgetsDocument() as any;
    doc.paths["/widgets/v1/widgets/{id}"].get[PAGINATION_EXTENSION] = { style: "cursor" };
    expect(() => paginationFor(doc, operation(doc, "get", "/widgets/v1/widgets/{id}"))).toThrow(/needs limitParam, pageParam and itemsField/);
  });
});

describe("regionForServerUrl", () => {
  it.each([
    ["https://us-west.api.greenlake.hpe.com", "us-west"],
    ["https://eu-west.api.greenlake.hpe.com/", "eu-west"],
    ["https://eu-central.api.greenlake.hpe.com", "eu-central"],
    ["https://ap-northeast.api.greenlake.hpe.com", "ap-northeast"],
    ["https://global.api.greenlake.hpe.com", "global"],
    ["https://us1.data.cloud.hpe.com", "us-west"],
    ["https://eu1.data.cloud.hpe.com", "eu-central"],
    ["https://jp1.data.cloud.hpe.com", "ap-northeast"],
  ])("names %s %s", (url, region) => {
    expect(regionForServerUrl(url)).toBe(region);
  });

  it("does not guess for unknown hosts", () => {
    expect(regionForServerUrl("https://example.com")).toBeUndefined();
    expect(regionForServerUrl("not a url")).toBeUndefined();
  });
});

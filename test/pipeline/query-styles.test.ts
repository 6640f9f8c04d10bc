import { describe, expect, it } from "vitest";
import { listOperations, type OpenApiDocument } from "../../src/specs/openapi.js";
import { commaJoinedQueryParams } from "../../scripts/lib/query-styles.js";
import { REGION_EXTENSION } from "../../src/specs/regions.js";
import { buildServiceMetadata } from "../../scripts/lib/service-metadata.js";

const stringArray = { type: "array", items: { type: "string" } };

function documentWith(parameters: unknown[], pathParameters: unknown[] = []): OpenApiDocument {
  return {
    openapi: "3.0.3",
    servers: [{ url: "https://us-west.example.test", [REGION_EXTENSION]: "us-west" }],
    paths: {
      "/things/v1/things": {
        parameters: pathParameters,
        get: { operationId: "listThings", parameters, responses: { "200": { description: "ok" } } },
      },
    },
    components: {
      parameters: { Select: { name: "select", in: "query", style: "form", explode: false, schema: { $ref: "#/components/schemas/Fields" } } },
      schemas: { Fields: stringArray },
    },
  };
}

function joinedOf(document: OpenApiDocument): string[] {
  return commaJoinedQueryParams(document, listOperations(document)[0]!);
}

describe("commaJoinedQueryParams", () => {
  it("names form arrays that do not explode, through $refs and path-level parameters, sorted", () => {
    const doc = documentWith(
      [
        { name: "sort", in: "query", style: "form", explode: false, schema: stringArray },
        { name: "id", in: "query", style: "form", explode: true, schema: stringArray },
        { name: "tag", in: "query", schema: stringArray },
      ],
      [{ $ref: "#/components/parameters/Select" }],
    );
    expect(joinedOf(doc)).toEqual(["select", "sort"]);
  });

  it("lets the operation's own parameter override the path-level one", () => {
    const doc = documentWith([{ name: "select", in: "query", schema: stringArray }], [{ $ref: "#/components/parameters/Select" }]);
    expect(joinedOf(doc)).toEqual([]);
  });

  it("leaves single values alone whatever their declared style, and deepObject objects, and other locations", () => {
    const doc = documentWith([
      { name: "filter", in: "query", style: "deepObject", allowReserved: true, schema: { type: "string" } },
      { name: "limit", in: "query", style: "form", explode: false, schema: { type: "integer" } },
      { name: "where", in: "query", style: "deepObject", explode: true, schema: { type: "object", properties: { a: { type: "string" } } } },
      { name: "ids", in: "header", style: "simple", explode: false, schema: stringArray },
    ]);
    expect(joinedOf(doc)).toEqual([]);
  });

  it.each([
    ["a space-delimited array", { name: "ids", in: "query", style: "spaceDelimited", explode: false, schema: stringArray }, /style spaceDelimited/],
    ["a pipe-delimited array", { name: "ids", in: "query", style: "pipeDelimited", schema: stringArray }, /style pipeDelimited/],
    ["a form object", { name: "where", in: "query", style: "form", schema: { type: "object" } }, /object with style form/],
    ["a content-described parameter", { name: "q", in: "query", content: { "application/json": { schema: { type: "object" } } } }, /content/],
  ])("refuses %s, which the runtime would send wrongly", (_, parameter, message) => {
    expect(() => joinedOf(documentWith([parameter]))).toThrow(message);
  });
});

describe("service metadata", () => {
  it("carries commaJoinedQuery only on operations that have such parameters", () => {
    const joined = documentWith([{ $ref: "#/components/parameters/Select" }]);
    const plain = documentWith([{ name: "limit", in: "query", schema: { type: "integer" } }]);
    const [withJoined] = buildServiceMetadata("things", [{ key: "things", document: joined }]).operations;
    const [withoutJoined] = buildServiceMetadata("things", [{ key: "things", document: plain }]).operations;
    expect(withJoined!.commaJoinedQuery).toEqual(["select"]);
    expect(withoutJoined).not.toHaveProperty("commaJoinedQuery");
  });
});

import { describe, expect, it } from "vitest";
import { corrections } from "../../src/specs/corrections.js";
import { fetchDocuments } from "../../src/specs/fetch-documents.js";
import { generateOutput } from "../../scripts/lib/generate-output.js";
import { listOperations, type OpenApiDocument } from "../../src/specs/openapi.js";
import { requestMediaTypes } from "../../scripts/lib/request-media-types.js";
import { buildServiceMetadata } from "../../scripts/lib/service-metadata.js";
import { decodeOperations } from "../../src/internal/operations-codec.js";
import { REGION_EXTENSION } from "../../src/specs/regions.js";
import { widgetsDocument, workspace } from "./helpers.js";

const object = { schema: { type: "object" } };

/** Operations with bodies described every way a document may: inline, by reference, several types, none. */
function documentWithBodies(): OpenApiDocument {
  const ok = { "200": { description: "ok" } };
  return {
    openapi: "3.0.3",
    servers: [{ url: "https://us-west.example.test", [REGION_EXTENSION]: "us-west" }],
    paths: {
      "/things/v1/things": {
        get: { operationId: "listThings", responses: ok },
        post: { operationId: "createThing", requestBody: { content: { "application/json": object } }, responses: ok },
        patch: { operationId: "patchThings", requestBody: { $ref: "#/components/requestBodies/Patch" }, responses: ok },
      },
      "/things/v1/things/{id}": {
        put: { operationId: "replaceThing", requestBody: { content: { "application/merge-patch+json": object, "application/json": object } }, responses: ok },
        post: { operationId: "uploadThing", requestBody: { content: { "multipart/form-data": object } }, responses: ok },
      },
    },
    components: { requestBodies: { Patch: { required: true, content: { "application/merge-patch+json": object } } } },
  };
}

describe("requestMediaTypes", () => {
  it("lists each operation's body media types in document order, through references, and none without a body", () => {
    const doc = documentWithBodies();
    const byOperation = Object.fromEntries(listOperations(doc).map((ref) => [ref.operation.operationId, requestMediaTypes(doc, ref)]));
    expect(byOperation).toEqual({
      listThings: [],
      createThing: ["application/json"],
      patchThings: ["application/merge-patch+json"],
      replaceThing: ["application/merge-patch+json", "application/json"],
      uploadThing: ["multipart/form-data"],
    });
  });

  it("refuses a body described without any media type, which no client could send correctly", () => {
    const doc = documentWithBodies();
    (doc.paths!["/things/v1/things"]!.post as { requestBody: unknown }).requestBody = { content: {} };
    expect(() => buildServiceMetadata("things", [{ key: "things", document: doc }])).toThrow("POST /things/v1/things declares a request body without a media type; add a correction");
  });
});

describe("service metadata", () => {
  it("carries requestMediaTypes only on operations that take a body", () => {
    const ops = buildServiceMetadata("things", [{ key: "things", document: documentWithBodies() }]).operations;
    expect(Object.fromEntries(ops.map((op) => [op.operationId, op.requestMediaTypes]))).toEqual({
      listThings: undefined,
      createThing: ["application/json"],
      patchThings: ["application/merge-patch+json"],
      replaceThing: ["application/merge-patch+json", "application/json"],
      uploadThing: ["multipart/form-data"],
    });
    expect(ops.find((op) => op.operationId === "listThings")).not.toHaveProperty("requestMediaTypes");
  });

  it("reaches the generated service module", async () => {
    const doc = widgetsDocument() as { paths: Record<string, Record<string, unknown>> };
    doc.paths["/widgets/v1/widgets/{id}"]!.patch = { operationId: "patchWidget", requestBody: { content: { "application/merge-patch+json": object } }, responses: { "200": { description: "ok" } } };
    const ws = await workspace({ widgets: { service: "widgets", document: doc } });
    expect((await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir })).failures).toEqual([]);
    const output = await generateOutput({ manifest: ws.manifest, specsDir: ws.specsDir, corrections });
    const widgets = output.metadata.find((m) => m.service === "widgets")!;
    expect(widgets.operations.filter((op) => op.requestMediaTypes).map((op) => `${op.method} ${op.path} ${op.requestMediaTypes!.join(",")}`)).toEqual([
      "post /widgets/v1/widgets application/json",
      "patch /widgets/v1/widgets/{id} application/merge-patch+json",
    ]);
    // The table's operations text (a JSON string literal) reads back with the media types.
    const text = /"widgets": withLazyOperations<ServiceMetadata>\(\{.*?\}, ("(?:[^"\\]|\\.)*")\),$/m.exec(output.files.get("services/metadata-table.ts")!)![1]!;
    const patch = decodeOperations(JSON.parse(text) as string).find((op) => op.operationId === "patchWidget");
    expect(patch?.requestMediaTypes).toEqual(["application/merge-patch+json"]);
  });
});

import { describe, expect, it } from "vitest";
import { typesOf } from "../../scripts/lib/generate-output.js";
import { referencedMarker } from "../../scripts/lib/referenced-read-write.js";
import type { OpenApiDocument } from "../../src/specs/openapi.js";

function thingsDocument(): OpenApiDocument {
  const thing = { $ref: "#/components/schemas/Thing" };
  return {
    openapi: "3.0.3",
    info: { title: "Things", version: "1" },
    paths: {
      "/things": {
        post: {
          operationId: "createThing",
          requestBody: { required: true, content: { "application/json": { schema: thing } } },
          responses: { "201": { description: "created", content: { "application/json": { schema: thing } } } },
        },
      },
    },
    components: {
      schemas: {
        Id: { type: "string", readOnly: true },
        StampedId: { $ref: "#/components/schemas/Id" },
        Password: { type: "string", writeOnly: true },
        Thing: {
          type: "object",
          required: ["id", "name", "password", "parentId"],
          properties: {
            id: { $ref: "#/components/schemas/Id" },
            parentId: { $ref: "#/components/schemas/StampedId" },
            password: { $ref: "#/components/schemas/Password" },
            createdAt: { type: "string", readOnly: true },
            name: { type: "string" },
            hours: { type: "integer", default: 24 },
          },
        },
      },
    },
  };
}

describe("generated types", () => {
  it("mark properties read-only or write-only, whether stated in place or on the referenced schema", async () => {
    const types = await typesOf(thingsDocument());
    expect(types).toContain('id: $Read<$schemas["Id"]>;');
    expect(types).toContain('parentId: $Read<$schemas["StampedId"]>;');
    expect(types).toContain('password: $Write<$schemas["Password"]>;');
    expect(types).toContain("createdAt?: $Read<string>;");
    expect(types).toContain("name: string;");
    // Markers, not `readonly`: openapi-fetch drops marked fields from the side that never carries them.
    expect(types).not.toMatch(/readonly id/);
  });

  it("leave a field with a default optional unless the schema requires it", async () => {
    expect(await typesOf(thingsDocument())).toMatch(/hours\?: number;/);
  });
});

describe("referencedMarker", () => {
  const schemas: Record<string, unknown> = {
    "#/a": { $ref: "#/b" },
    "#/b": { type: "string", readOnly: true },
    "#/both": { readOnly: true, writeOnly: true },
    "#/loop": { $ref: "#/loop" },
  };
  const resolve = (ref: string) => schemas[ref];

  it("follows chains of references, and ignores what is not behind one", () => {
    expect(referencedMarker({ $ref: "#/a" }, resolve)).toBe("$Read");
    expect(referencedMarker({ type: "string", readOnly: true }, resolve)).toBeUndefined();
    expect(referencedMarker({ $ref: "#/both" }, resolve)).toBeUndefined();
    expect(referencedMarker({ $ref: "#/loop" }, resolve)).toBeUndefined();
    expect(referencedMarker({ $ref: "#/missing" }, resolve)).toBeUndefined();
  });
});

/**
 * The command-line metadata generator: command names stay unique and stable
 * whatever operationIds a service's documents bring (property-based), and
 * parameters and body fields are read with their types, enums and defaults.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildCliService, commandNames, flagOf, RESERVED_FLAGS } from "../../scripts/lib/cli-metadata.js";
import type { OpenApiDocument, OperationRef } from "../../src/specs/openapi.js";
import { buildServiceMetadata } from "../../scripts/lib/service-metadata.js";

const ref = (method: OperationRef["method"], path: string, operationId: string): OperationRef => ({ method, path, operation: { operationId }, pathItem: {} });

describe("command names", () => {
  it("are unique and independent of input order, for any operationIds (duplicates across documents included)", () => {
    const id = fc.oneof(
      fc.stringMatching(/^[a-z][A-Za-z0-9]{0,12}(V[12](beta1)?)?$/),
      fc.stringMatching(/^[a-z]+(_[a-z0-9]+){0,4}_(get|post)$/),
      fc.constantFrom("retrieveSubscriptions", "getTagsV1", "getTagsV1beta1", "get_v1_servers", "get_v2_servers", "v1", "V1beta1"),
    );
    const segment = fc.stringMatching(/^[a-z][a-z-]{0,8}$/);
    const operation = fc.record({ method: fc.constantFrom("get" as const, "post" as const, "delete" as const), path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`), id });
    fc.assert(
      fc.property(fc.uniqueArray(operation, { selector: (o) => `${o.method} ${o.path}`, maxLength: 25 }), (ops) => {
        const refs = ops.map((o) => ref(o.method, o.path, o.id));
        const names = commandNames(refs);
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        const reversed = commandNames([...refs].reverse());
        expect([...reversed].reverse()).toEqual(names);
      }),
      { numRuns: 500 },
    );
  });

  it("read like the operation", () => {
    expect(commandNames([ref("get", "/identity/v1/users", "get_users_identity_v1_users_get")])).toEqual(["get-users"]);
    expect(commandNames([ref("get", "/tags/v1/tags", "getTagsV1"), ref("get", "/tags/v1beta1/tags", "getTagsV1beta1")])).toEqual(["get-tags-v1", "get-tags-v1beta1"]);
    const [a, b] = commandNames([ref("get", "/a", "retrieveSubscriptions"), ref("get", "/a-", "retrieveSubscriptions")]);
    expect(a).not.toBe(b);
    expect(flagOf("systemId")).toBe("system-id");
    expect(flagOf("Tenant-Acid")).toBe("tenant-acid");
    expect(flagOf("fields[]")).toBe("fields");
  });
});

describe("buildCliService", () => {
  it("lists parameters with location, type, enum, default and required-ness, and the body's top-level fields", () => {
    const document: OpenApiDocument = {
      openapi: "3.0.3",
      servers: [{ url: "https://global.example.com", "x-greenlake-region": "global" }],
      paths: {
        "/things/v1/things/{thingId}": {
          parameters: [{ name: "thingId", in: "path", required: true, schema: { type: "string" } }],
          patch: {
            operationId: "updateThing",
            tags: ["Things"],
            summary: "Update one thing by its id. More words here.",
            parameters: [
              { name: "mode", in: "query", schema: { type: "string", enum: ["fast", "safe"], default: "safe" } },
              { name: "all", in: "query", schema: { type: "boolean" } },
              { name: "ids", in: "query", schema: { type: "array", items: { type: "integer" } } },
              { name: "If-Match", in: "header", required: true, schema: { type: "string" } },
            ],
            requestBody: {
              required: true,
              content: { "application/merge-patch+json": { schema: { $ref: "#/components/schemas/Thing" } } },
            },
            responses: { "200": { description: "ok" } },
          },
        },
      },
      components: { schemas: { Thing: { type: "object", required: ["name"], properties: { name: { type: "string" }, id: { type: "string", readOnly: true }, size: { type: "integer", enum: [1, 2] } } } } },
    };
    const metadata = buildServiceMetadata("things", [{ key: "things", document }]);
    const [op] = buildCliService(metadata, [{ key: "things", document }]).operations;
    expect(op).toMatchObject({ name: "update-thing", method: "patch", tags: ["Things"], summary: "Update one thing by its id.", deprecated: false });
    expect(op!.parameters).toEqual([
      { name: "thingId", in: "path", flag: "thing-id", type: "string", required: true },
      { name: "mode", in: "query", flag: "mode", type: "string", required: false, enum: ["fast", "safe"], default: "safe" },
      { name: "all", in: "query", flag: "param-all", type: "boolean", required: false },
      { name: "ids", in: "query", flag: "ids", type: "array<integer>", required: false },
      { name: "If-Match", in: "header", flag: "if-match", type: "string", required: true },
    ]);
    expect(RESERVED_FLAGS.has("all")).toBe(true);
    expect(op!.body).toEqual({
      mediaType: "application/merge-patch+json",
      required: true,
      type: "object",
      fields: [
        { name: "name", type: "string", required: true },
        { name: "size", type: "integer", required: false, enum: [1, 2] },
      ],
    });
  });
});

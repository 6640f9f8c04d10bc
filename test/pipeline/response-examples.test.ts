import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corrections } from "../../src/specs/corrections.js";
import { applyCorrections } from "../../src/specs/apply-corrections.js";
import { admitResponseExampleValues, widenToResponseExamples } from "../../src/specs/response-examples.js";
import { typesOf } from "../../scripts/lib/generate-output.js";
import type { OpenApiDocument } from "../../src/specs/openapi.js";

const ok = (schema: unknown, media: Record<string, unknown> = {}) => ({ "200": { description: "ok", content: { "application/json": { schema, ...media } } } });

/** A device list whose examples contradict its schemas the ways HPE's do, plus fields that must stay as they are. */
function devicesDocument(openapi = "3.1.0"): OpenApiDocument {
  return {
    openapi,
    info: { title: "Devices", version: "1" },
    paths: {
      "/devices/v1/devices": {
        get: {
          operationId: "listDevices",
          responses: ok(
            { $ref: "#/components/schemas/DeviceList" },
            {
              examples: {
                some: { $ref: "#/components/examples/Devices" },
                none: { value: { items: [], count: 0 } },
              },
            },
          ),
        },
        post: {
          operationId: "addDevice",
          requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/DeviceCreate" }, example: { name: null, quantity: 3 } } } },
          responses: { "201": { description: "created" } },
        },
      },
      "/devices/v1/subscriptions": {
        get: { operationId: "listSubscriptions", responses: ok({ type: "array", items: { $ref: "#/components/schemas/Subscription" } }) },
      },
    },
    components: {
      examples: {
        Devices: {
          value: {
            count: 2,
            items: [
              { id: "a", application: null, region: null, state: null, tags: { team: null }, warranty: null, note: null, model: "DL360", location: { postalCode: 10001 } },
              { id: "b", application: { id: "x" }, region: "us-west", unknownField: null, serial: 12345, kind: null },
            ],
          },
        },
      },
      schemas: {
        DeviceList: { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/Device" } }, count: { type: "integer" } } },
        Base: { type: "object", properties: { kind: { type: "string" } } },
        Device: {
          allOf: [{ $ref: "#/components/schemas/Base" }],
          type: "object",
          required: ["id"],
          properties: {
            id: { type: "string", format: "uuid" },
            application: { $ref: "#/components/schemas/Application", description: "The application." },
            region: { type: "string", description: "Region" },
            state: { type: "string", enum: ["OK", "FAILED"] },
            tags: { type: "object", additionalProperties: { type: "string" } },
            warranty: { type: "array", items: { type: "string" } },
            note: { type: ["string", "null"] },
            model: { type: "string" },
            serial: { type: "string", format: "uuid" },
            location: { type: "object", properties: { postalCode: { type: "string" } } },
          },
        },
        Application: { type: "object", properties: { id: { type: "string" } } },
        Subscription: { type: "object", properties: { quantity: { type: "string", example: 10, description: "Total quantity." }, key: { type: "string", example: 7, enum: ["A", "B"] } } },
        DeviceCreate: { type: "object", properties: { name: { type: "string" }, quantity: { type: "string", example: 5 } } },
      },
    },
  };
}

describe("widenToResponseExamples", () => {
  it("widens exactly the fields a response example shows as null or as a number where a string is declared", () => {
    const doc = devicesDocument();
    expect(widenToResponseExamples(doc)).toEqual([
      { pointer: "/components/schemas/Device/properties/application", admits: "null" },
      { pointer: "/components/schemas/Device/properties/region", admits: "null" },
      { pointer: "/components/schemas/Device/properties/state", admits: "null" },
      { pointer: "/components/schemas/Device/properties/tags/additionalProperties", admits: "null" },
      { pointer: "/components/schemas/Device/properties/warranty", admits: "null" },
      { pointer: "/components/schemas/Device/properties/location/properties/postalCode", admits: "number" },
      { pointer: "/components/schemas/Base/properties/kind", admits: "null" },
      { pointer: "/components/schemas/Subscription/properties/quantity", admits: "number" },
    ]);
    const schemas = doc.components!.schemas as Record<string, any>;
    expect(schemas.Device.properties.application).toEqual({ description: "The application.", anyOf: [{ $ref: "#/components/schemas/Application" }, { type: "null" }] });
    expect(schemas.Device.properties.region).toEqual({ type: ["string", "null"], description: "Region" });
    expect(schemas.Device.properties.state).toEqual({ type: ["string", "null"], enum: ["OK", "FAILED", null] });
    expect(schemas.Device.properties.warranty).toEqual({ type: ["array", "null"], items: { type: "string" } });
    expect(schemas.Subscription.properties.quantity).toEqual({ type: ["string", "number"], example: 10, description: "Total quantity." });
    // Left alone: already nullable, a uuid with a placeholder number, an enum, an undeclared field, request bodies.
    expect(schemas.Device.properties.note).toEqual({ type: ["string", "null"] });
    expect(schemas.Device.properties.serial).toEqual({ type: "string", format: "uuid" });
    expect(schemas.Subscription.properties.key).toEqual({ type: "string", example: 7, enum: ["A", "B"] });
    expect(schemas.DeviceCreate).toEqual(devicesDocument().components!.schemas!.DeviceCreate);
  });

  it("finds nothing more on a second run, and reports whether it changed anything", () => {
    const doc = devicesDocument();
    expect(admitResponseExampleValues(doc)).toBe(true);
    const once = structuredClone(doc);
    expect(widenToResponseExamples(doc)).toEqual([]);
    expect(admitResponseExampleValues(doc)).toBe(false);
    expect(doc).toEqual(once);
  });

  it("writes OpenAPI 3.0's nullable and unions, which have no null type or type lists", () => {
    const doc = devicesDocument("3.0.3");
    expect(widenToResponseExamples(doc)).toHaveLength(8);
    const schemas = doc.components!.schemas as Record<string, any>;
    expect(schemas.Device.properties.application).toEqual({ description: "The application.", allOf: [{ $ref: "#/components/schemas/Application" }], nullable: true });
    expect(schemas.Device.properties.region).toEqual({ type: "string", description: "Region", nullable: true });
    expect(schemas.Subscription.properties.quantity).toEqual({ description: "Total quantity.", example: 10, anyOf: [{ type: "string" }, { type: "number" }] });
    expect(widenToResponseExamples(doc)).toEqual([]);
  });

  it("gives types that admit what the examples show", async () => {
    for (const version of ["3.1.0", "3.0.3"]) {
      const types = await typesOf(applyCorrections("devices", devicesDocument(version), corrections).document);
      expect(types, version).toMatch(/application\?: \$schemas\["Application"\] \| null;/);
      expect(types, version).toMatch(/region\?: string \| null;/);
      expect(types, version).toMatch(/quantity\?: string \| number;/);
      expect(types, version).toMatch(/serial\?: string;/);
    }
  });

  it("only widens: any value the original schemas accept, the corrected ones accept too, and so the examples", () => {
    const validator = (doc: OpenApiDocument) => {
      const ajv = new Ajv2020({ strict: false, validateSchema: false, logger: false });
      ajv.addSchema(doc as object, "doc");
      return ajv.compile({ $ref: "doc#/components/schemas/DeviceList" });
    };
    const before = validator(devicesDocument());
    const corrected = devicesDocument();
    widenToResponseExamples(corrected);
    const after = validator(corrected);
    // Mostly values the original schemas accept, so the property has something to keep; sometimes any scalar.
    const scalar = fc.oneof(fc.constant(null), fc.string({ maxLength: 4 }), fc.integer(), fc.boolean());
    const field = <T,>(conforming: fc.Arbitrary<T>) => fc.oneof({ arbitrary: conforming, weight: 5 }, { arbitrary: scalar, weight: 1 });
    const text = fc.string({ maxLength: 4 });
    const device = fc.record(
      {
        id: text,
        application: field(fc.record({ id: field(text) }, { requiredKeys: [] })),
        region: field(text),
        state: field(fc.constantFrom("OK", "FAILED")),
        tags: field(fc.dictionary(text, field(text), { maxKeys: 2 })),
        warranty: field(fc.array(field(text), { maxLength: 2 })),
        note: field(fc.option(text)),
        kind: field(text),
        location: field(fc.record({ postalCode: field(text) }, { requiredKeys: [] })),
      },
      { requiredKeys: ["id"] },
    );
    fc.assert(
      fc.property(fc.record({ items: fc.array(device, { maxLength: 3 }), count: field(fc.nat()) }, { requiredKeys: [] }), (list) => {
        if (before(list)) expect(after(list)).toBe(true);
      }),
      { numRuns: 500 },
    );

    const example = (devicesDocument().components!.examples as Record<string, { value: { items: Record<string, unknown>[] } }>).Devices!.value;
    expect(before(example)).toBe(false);
    // The uuid's placeholder number is the one contradiction left standing on purpose.
    expect(after(example)).toBe(false);
    delete example.items[1]!.serial;
    expect(before(example)).toBe(false);
    expect(after(example)).toBe(true);
  });
});

describe("the correction in src/specs/corrections.ts", () => {
  it("applies to every document, with its reason", () => {
    const result = applyCorrections("any-document", devicesDocument(), corrections);
    expect(result.applied.some((reason) => reason.includes("response examples show `null`"))).toBe(true);
  });
});

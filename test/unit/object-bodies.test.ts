// Request bodies the document declares as objects: the compiler refuses wrong ones (support/object-bodies.ts).
// npm test compiles one operation of each kind; object-bodies-every-operation.test.ts (npm run test:all) all 308.
import { describe, expect, expectTypeOf, it } from "vitest";
import type { Schemas as DeviceSchemas, components as deviceComponents } from "../../generated/entries/device-management.js";
import type { computeOpsMgmt, deviceManagement, identity } from "../../src/index.js";
import { representatives } from "../scope.js";
import { bodyOperations, itRefusesWrongBodies, type BodyOperation } from "./support/object-bodies.js";

// One operation for each service and shape of body (object or not, closed to other fields, nullable), and for
// each HTTP method and shape.
const ofEachKind = representatives(
  bodyOperations,
  (b) => `${b.service} ${b.object} ${b.closed} ${b.nullable}`,
  (b) => `${b.op.method} ${b.object} ${b.closed} ${b.nullable}`,
);

describe("request bodies the document declares as objects", () => {
  it("cover every operation with a body", () => {
    expect(bodyOperations.length).toBe(308);
    expect(bodyOperations.filter((b) => b.object).length).toBeGreaterThan(280);
  });

  it("are checked here for every kind of body, service and method", () => {
    const kinds = (of: readonly BodyOperation[]) => new Set(of.map((b) => `${b.object} ${b.closed} ${b.nullable}`));
    expect(kinds(ofEachKind)).toEqual(kinds(bodyOperations));
    expect(new Set(ofEachKind.map((b) => b.service))).toEqual(new Set(bodyOperations.map((b) => b.service)));
    expect(new Set(ofEachKind.map((b) => b.op.method))).toEqual(new Set(bodyOperations.map((b) => b.op.method)));
  });

  itRefusesWrongBodies("refuse a primitive, an array, null and a misspelt field, for one operation of each kind", ofEachKind, 100);
});

// Schema types by name, from the package root (per service) and from each service entry.

describe("schema types", () => {
  it("can be named per service, as responses carry them", () => {
    expectTypeOf<identity.Schemas["NBUser"]["username"]>().toEqualTypeOf<string>();
    expectTypeOf<computeOpsMgmt.Schemas["server-v1"]["id"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<DeviceSchemas["DeviceDetail"]>().toEqualTypeOf<deviceManagement.Schemas["DeviceDetail"]>();
    expectTypeOf<deviceComponents["schemas"]["DeviceDetail"]>().not.toBeAny();
  });
});

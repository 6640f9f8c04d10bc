/**
 * Lists HPE's own clients send joined (`id=a,b`, `select=id,key`): the SDK
 * sends an array and the same list already joined as one string identically,
 * and the mocks read the repeated and the joined forms as the same ids.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { querySerializerFor } from "../../src/internal/query-serializer.js";
import { queryIds } from "../../src/testing/inventory-effects.js";

// Hostile items: any text but the separator itself, including `+`, `%`, `&`, `=`, spaces and non-ASCII.
const item = fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" }).filter((s) => !s.includes(",") && s.trim() === s && s !== "");
const items = fc.array(item, { minLength: 1, maxLength: 6 });

describe("joined lists", () => {
  it("a list and the same list joined as one string go out identically on a comma-joined parameter", () => {
    const serialize = querySerializerFor("GET", "/devices/v1/devices", new Set(["select", "id"]));
    fc.assert(
      fc.property(items, fc.constantFrom("select", "id"), (list, name) => {
        const asArray = serialize({ [name]: list });
        expect(serialize({ [name]: list.join(",") })).toBe(asArray);
        // And the server, splitting on the literal commas, reads back the items.
        const sent = new URLSearchParams(asArray).get(name)!;
        expect(sent.split(",")).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });

  it("the mocks read repeated and joined ids as the same list", () => {
    const uuid = fc.uuid();
    fc.assert(
      fc.property(fc.array(uuid, { minLength: 1, maxLength: 5 }), fc.nat(4), (ids, split) => {
        const unique = [...new Set(ids)];
        const repeated = new URLSearchParams(ids.map((id) => ["id", id]));
        const joined = new URLSearchParams([["id", ids.join(",")]]);
        // Mixed: some joined, the rest repeated.
        const mixed = new URLSearchParams([["id", ids.slice(0, split).join(",")], ...ids.slice(split).map((id) => ["id", id] as [string, string])]);
        expect(queryIds(repeated)).toEqual(unique);
        expect(queryIds(joined)).toEqual(unique);
        expect(queryIds(mixed)).toEqual(unique);
      }),
      { numRuns: 300 },
    );
  });
});

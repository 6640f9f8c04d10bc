import { describe, expect, it } from "vitest";
import { filter, literal, odata } from "../../src/filters.js";
import { createServiceClient } from "../../src/service-client.js";
import { json, regionalService, stubFetch, type FixturePaths } from "./support/fixtures.js";

/** A tiny tokenizer of the OData subset: enough to prove a value stayed one literal. */
function tokens(expr: string): string[] {
  return expr.match(/'(?:[^']|'')*'|\(|\)|,|[^\s(),']+/g) ?? [];
}

const hostile = [
  "x' or 1 eq 1 or name eq 'y",
  "' ) or (true",
  "''",
  "O'Brien",
  "a\\' or 'b",
  "name eq 'x' and",
  "%27 or %27",
  "\u0000\n\t",
  "contains(name, 'a')",
];

describe("odata template", () => {
  it("renders each kind of literal", () => {
    expect(odata`a eq ${"O'Brien"} and b eq ${42} and c eq ${true} and d eq ${null}`).toBe(
      "a eq 'O''Brien' and b eq 42 and c eq true and d eq null",
    );
    expect(odata`t gt ${new Date("2026-01-02T03:04:05.000Z")}`).toBe("t gt 2026-01-02T03:04:05.000Z");
    expect(odata`s in ${["OK", "WARNING"]}`).toBe("s in ('OK', 'WARNING')");
    expect(odata`a eq ${1} and ${odata.raw(filter.eq("b", 2))}`).toBe("a eq 1 and (b eq 2)");
  });

  it.each(hostile)("keeps the hostile value %j a single literal", (value) => {
    const built = odata`name eq ${value} and state eq ${"OK"}`;
    const t = tokens(built);
    expect(t).toEqual(["name", "eq", literal(value), "and", "state", "eq", "'OK'"]);
    // Undoing the quoting gives back exactly the value.
    expect(t[2]!.slice(1, -1).replaceAll("''", "'")).toBe(value);
  });

  it("rejects values that have no literal form", () => {
    expect(() => odata`a eq ${Number.NaN}`).toThrow(TypeError);
    expect(() => odata`a eq ${new Date("nope")}`).toThrow(TypeError);
    expect(() => odata`a in ${[]}`).toThrow(TypeError);
    expect(() => odata`a eq ${{} as never}`).toThrow(TypeError);
    expect(() => odata`a eq ${undefined as never}`).toThrow(TypeError);
  });
});

describe("filter builder", () => {
  it("composes comparisons, functions and logic", () => {
    const f = filter.and(
      filter.eq("hardware/model", "DL360"),
      filter.or(filter.ge("memory", 64), filter.not(filter.in("state", ["FAILED", "UNKNOWN"]))),
      filter.contains("name", "web"),
      filter.startswith("serial", "CZ"),
      filter.endswith("serial", "01"),
    );
    expect(f).toBe(
      "(hardware/model eq 'DL360') and ((memory ge 64) or (not (state in ('FAILED', 'UNKNOWN')))) and (contains(name, 'web')) and (startswith(serial, 'CZ')) and (endswith(serial, '01'))",
    );
  });

  it.each(hostile)("quotes the hostile value %j in every operator", (value) => {
    for (const op of ["eq", "ne", "gt", "ge", "lt", "le"] as const) {
      expect(tokens(filter[op]("name", value))).toEqual(["name", op, literal(value)]);
    }
    expect(tokens(filter.contains("name", value))).toEqual(["contains", "(", "name", ",", literal(value), ")"]);
  });

  it("refuses field names that could carry syntax", () => {
    for (const name of ["name eq 'x' or a", "a)", "", "1abc", "a b", "a'b"]) {
      expect(() => filter.eq(name, 1)).toThrow(/Invalid filter field name/);
    }
  });
});

describe("URL encoding", () => {
  it("sends a comma-separated select list when asked to", async () => {
    const { fetch, requests } = stubFetch(() => json({ items: [] }));
    const client = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "us-west", fetch, env: {} });
    const get = client.GET as unknown as (p: string, i: unknown) => Promise<unknown>;
    await get("/compute-ops-mgmt/v1/servers", { params: { query: { select: ["id", "name"] } }, querySerializer: { array: { style: "form", explode: false } } });
    expect(new URL(requests[0]!.url).search).toBe("?select=id,name");
  });

  it("sends + in a server id as %2B in both the path and the filter", async () => {
    const { fetch, requests } = stubFetch(() => json({ id: "x" }));
    const com = createServiceClient<FixturePaths>(regionalService, { token: "t", region: "eu-central", fetch, env: {} });
    const id = "P06760-B21+2M212504P8";
    await com.GET("/compute-ops-mgmt/v1/servers/{id}", {
      params: { path: { id }, query: { filter: odata`id eq ${id} and name eq ${"a b&c=d"}` } },
    });
    const url = requests[0]!.url;
    expect(url).toBe(
      "https://eu-central.api.greenlake.hpe.com/compute-ops-mgmt/v1/servers/P06760-B21%2B2M212504P8" +
        "?filter=id%20eq%20%27P06760-B21%2B2M212504P8%27%20and%20name%20eq%20%27a%20b%26c%3Dd%27",
    );
    expect(new URL(url).searchParams.get("filter")).toBe("id eq 'P06760-B21+2M212504P8' and name eq 'a b&c=d'");
  });
});

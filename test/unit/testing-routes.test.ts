import { describe, expect, it } from "vitest";
import { RouteTable } from "../../src/testing/routes.js";
import { allOperations } from "../../src/testing/documents.js";

describe("mock routing by path template", () => {
  const table = new RouteTable([
    { document: "a", method: "get", path: "/users/{id}" },
    { document: "b", method: "get", path: "/users/me" },
    { document: "c", method: "delete", path: "/users/{userId}" },
    { document: "d", method: "get", path: "/files/{name}.pem" },
  ]);

  it("prefers a literal segment over a parameter", () => {
    expect(table.match("GET", "/users/me")?.document).toBe("b");
    expect(table.match("GET", "/users/42")?.document).toBe("a");
  });

  it("prefers the template that defines the method", () => {
    expect(table.match("DELETE", "/users/me")?.document).toBe("c");
  });

  it("matches parameters inside a segment and rejects other lengths", () => {
    expect(table.match("GET", "/files/server.pem")?.document).toBe("d");
    expect(table.match("GET", "/files/server.txt")).toBeUndefined();
    expect(table.match("GET", "/users/42/extra")).toBeUndefined();
  });

  it("reports templates from different documents that one request could reach", () => {
    const clash = new RouteTable([
      { document: "a", method: "get", path: "/v1/items/{id}" },
      { document: "b", method: "get", path: "/v1/items/{itemId}" },
      { document: "b", method: "post", path: "/v1/items/{itemId}" },
    ]);
    expect(clash.collisions().map(([x, y]) => [x.document, y.document])).toEqual([["a", "b"]]);
  });

  it("routes every operation of HPE's documents to its own document, with no collisions", () => {
    const operations = allOperations();
    const real = new RouteTable(operations);
    expect(real.collisions()).toEqual([]);
    const misrouted = operations.filter((op) => real.match(op.method, op.path.replace(/\{[^}]+\}/g, "x1"))?.document !== op.document);
    expect(misrouted).toEqual([]);
  });
});

// The compact text the package stores each service's operations as reads back as exactly the
// operations it was written from (values, key order, absent members), and nothing it cannot carry is written.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../generated/services/index.js";
import { decodeOperations, encodeOperations } from "../../src/internal/operations-codec.js";
import type { OperationMetadata, PaginationMetadata, RateLimitMetadata } from "../../src/metadata.js";

// Hostile text: quotes, backslashes, line separators, lone and paired surrogates (a shared path prefix may end between the two halves).
const text = fc.oneof(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.constantFrom("", "*/", '"', "\\", "\u2028", "${x}", "\ud800", "\ud83d\ude00", "[["));
// Paths from a few segments, so neighbours share prefixes of every length, some ending inside a surrogate pair.
const path = fc.array(fc.constantFrom("/", "a", "ab", "{id}", "\ud83d", "\ude00", "\ud83d\ude00", "/x/", "é"), { maxLength: 8 }).map((parts) => parts.join(""));

// A page size as metadata holds it: a number read from JSON text, which writes -0 as 0 (as the table's text does).
const pageSize = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => (Object.is(n, -0) ? 0 : n));

const pagination: fc.Arbitrary<PaginationMetadata> = fc.record(
  {
    style: fc.constantFrom("offset-items", "offset-pages", "cursor"),
    limitParam: text,
    pageParam: text,
    maxPageSize: pageSize,
    itemsField: text,
    totalField: text,
    nextField: text,
  },
  { requiredKeys: ["style", "limitParam", "pageParam", "itemsField"] },
);

const rateLimit: fc.Arbitrary<RateLimitMetadata> = fc.record(
  { requests: fc.integer(), windowSeconds: fc.integer(), scope: fc.constantFrom("api-client", "workspace", "operation"), group: text, source: text },
  { requiredKeys: ["requests", "windowSeconds", "scope", "source"] },
);

// Few distinct values, so operations share them (and their references) as generated ones do.
const operation: fc.Arbitrary<OperationMetadata> = fc.record(
  {
    method: fc.constantFrom("get", "put", "post", "delete", "patch", "head", "options"),
    path: fc.oneof(path, text),
    operationId: text,
    deprecated: fc.boolean(),
    document: fc.oneof(fc.constantFrom("a", "b"), text),
    pagination: fc.oneof(fc.constant({ style: "cursor", limitParam: "limit", pageParam: "next", itemsField: "items", nextField: "next" } as const), pagination),
    commaJoinedQuery: fc.array(text, { maxLength: 3 }),
    requestMediaTypes: fc.oneof(fc.constant(["application/json"]), fc.array(text, { maxLength: 3 })),
    rateLimits: fc.array(rateLimit, { maxLength: 3 }),
    idempotencyKey: fc.constant(true as const),
  },
  { requiredKeys: ["method", "path", "operationId", "deprecated", "document"] },
);

describe("operations' compact text", () => {
  it("reads back as the operations it was written from: values, key order and absent members", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 12 }), (operations) => {
        const decoded = decodeOperations(encodeOperations(operations));
        expect(decoded).toEqual(operations);
        expect(JSON.stringify(decoded)).toBe(JSON.stringify(operations));
        decoded.forEach((op, i) => expect(Object.keys(op)).toEqual(Object.keys(operations[i]!)));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses an operation with a member it has no place for, or a member not of its type, instead of dropping it", () => {
    const base: OperationMetadata = { method: "get", path: "/a", operationId: "a", deprecated: false, document: "d" };
    const cases: unknown[] = [
      { ...base, summary: "lost otherwise" },
      { ...base, method: "trace" },
      { ...base, deprecated: "no" },
      { ...base, idempotencyKey: false },
      { ...base, path: 7 },
    ];
    for (const op of cases) expect(() => encodeOperations([op as OperationMetadata])).toThrow(/operation "a"/);
  });

  it("carries every generated service's operations", () => {
    for (const key of serviceKeys) {
      const { operations } = serviceMetadata[key];
      expect(JSON.stringify(decodeOperations(encodeOperations(operations)))).toBe(JSON.stringify(operations));
    }
  });
});

import { describe, expect, it } from "vitest";
import { canonicalJson, documentHash } from "../../src/specs/canonical.js";
import { parseManifest, serializeManifest } from "../../src/specs/manifest.js";

describe("documentHash", () => {
  it("ignores key order and formatting", () => {
    const a = JSON.parse('{"b": 1, "a": {"d": [1, {"y": 2, "x": 1}], "c": null}}');
    const b = JSON.parse('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(documentHash(a)).toBe(documentHash(b));
  });

  it("changes with any value, and with array order", () => {
    expect(documentHash({ a: [1, 2] })).not.toBe(documentHash({ a: [2, 1] }));
    expect(documentHash({ a: "1" })).not.toBe(documentHash({ a: 1 }));
  });
});

describe("parseManifest", () => {
  const entry = { key: "widgets", service: "widgets", url: "https://example.com/w.json", sha256: "a".repeat(64) };

  it("round-trips through serializeManifest", () => {
    const manifest = parseManifest({ documents: [entry] });
    expect(parseManifest(JSON.parse(serializeManifest(manifest)))).toEqual(manifest);
  });

  it.each([
    [{}, /expected \{ "documents": \[\.\.\.\] \}/],
    [{ documents: [{ ...entry, key: "Bad Key" }] }, /invalid document key "Bad Key"/],
    [{ documents: [entry, entry] }, /document widgets is listed twice/],
    [{ documents: [{ ...entry, url: "ftp://x" }] }, /document widgets has an invalid url/],
    [{ documents: [{ ...entry, sha256: "abc" }] }, /document widgets has an invalid sha256/],
  ])("rejects a malformed manifest (%#)", (value, message) => {
    expect(() => parseManifest(value)).toThrow(message);
  });
});

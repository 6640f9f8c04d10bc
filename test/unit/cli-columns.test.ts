/**
 * Tables that identify rows: default columns chosen from the response schema
 * at generate time, a usable width whatever the terminal reports, the resource
 * a create points to with `Location` (followed only on the same API), and the
 * running mocks' state file trusted only when every field has its form.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rankColumns } from "../../scripts/lib/cli-metadata.js";
import { loadService } from "../../src/cli/catalog.js";
import { tableWidth } from "../../src/cli/columns.js";
import { parseState } from "../../src/cli/mocks-state.js";
import type { CliOperation } from "../../src/cli/metadata.js";
import { createdPath } from "../../src/cli/operation.js";
import { run } from "../../src/cli/run.js";
import { memoryIo } from "./support/cli-io.js";

async function operation(service: string, name: string): Promise<CliOperation> {
  return (await loadService(service)).operations.find((o) => o.name === name)!;
}

describe("default columns", () => {
  it("name what identifies the guides' resources", async () => {
    expect((await operation("credentials", "get-all-credentials")).columns?.slice(0, 3)).toEqual(["id", "credentialName", "clientId"]);
    expect((await operation("authorization", "get-role-assignments")).columns?.slice(0, 3)).toEqual(["id", "principal", "role"]);
    expect((await operation("authorization", "get-scope-groups")).columns?.slice(0, 2)).toEqual(["id", "name"]);
    expect((await operation("identity", "get-users")).columns?.slice(0, 2)).toEqual(["id", "username"]);
    expect((await operation("compute-ops-mgmt", "get-v1-servers")).columns).toEqual(expect.arrayContaining(["id", "name", "hardware.serialNumber", "hardware.model"]));
  });

  it("property: at most six, each a field the schema has, id first when there is one, never an object", () => {
    const path = fc.array(fc.constantFrom("id", "name", "username", "clientId", "principal", "role", "serialNumber", "model", "state", "type", "hardware", "a", "zName", "createdAt"), { minLength: 1, maxLength: 2 }).map((k) => k.join("."));
    fc.assert(
      fc.property(fc.uniqueArray(fc.record({ path, type: fc.constantFrom("string", "integer", "boolean", "object", "array<string>") }), { selector: (c) => c.path, maxLength: 20 }), (candidates) => {
        const chosen = rankColumns(candidates);
        if (chosen === undefined) return;
        expect(chosen.length).toBeGreaterThanOrEqual(2);
        expect(chosen.length).toBeLessThanOrEqual(6);
        expect(new Set(chosen).size).toBe(chosen.length);
        for (const c of chosen) expect(candidates.find((x) => x.path === c)?.type).not.toBe("object");
        if (candidates.some((c) => c.path === "id" && c.type !== "object")) expect(chosen[0]).toBe("id");
      }),
      { numRuns: 500 },
    );
  });

  it("--columns chooses them", async () => {
    const io = memoryIo({ env: { HOME: "/nonexistent-glp-home" } });
    expect(await run(["credentials", "get-all-credentials", "--columns", "id, clientId,,", "--help"], io)).toBe(0);
  });
});

describe("table width", () => {
  it("property: always at least 20 columns on a terminal, whatever it and COLUMNS report", () => {
    fc.assert(
      fc.property(
        fc.option(fc.oneof(fc.integer({ min: -5, max: 400 }), fc.constantFrom(0, Number.NaN, Number.POSITIVE_INFINITY)), { nil: undefined }),
        fc.option(fc.oneof(fc.integer({ min: -5, max: 400 }).map(String), fc.string({ maxLength: 4 })), { nil: undefined }),
        (columns, COLUMNS) => {
          const width = tableWidth({ isTTY: true, ...(columns === undefined ? {} : { columns }) }, { COLUMNS });
          expect(width).toBeGreaterThanOrEqual(1);
          expect(Number.isFinite(width)).toBe(true);
          if (!(typeof columns === "number" && columns > 0 && Number.isFinite(columns)) && !(Number(COLUMNS) > 0 && Number.isInteger(Number(COLUMNS)))) expect(width).toBe(80);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a terminal that reports 0 columns gets an 80-column table, not 2-character columns", async () => {
    // whoami prints a table without any server: a static token needs no issuer.
    let out = "";
    const io = { ...memoryIo({ env: { HOME: "/nonexistent-glp-home", GREENLAKE_TOKEN: "t" } }), stdout: { write: (t: string) => (out += t), isTTY: true, columns: 0 } };
    expect(await run(["whoami", "-o", "table"], io)).toBe(0);
    expect(out).toContain("static (GREENLAKE_TOKEN)");
    for (const line of out.trimEnd().split("\n")) expect([...line].length).toBeLessThanOrEqual(80);
  });
});

describe("a create's Location", () => {
  const invite = { path: "/identity/v1/users", method: "post" } as CliOperation;

  it("is followed to show the created resource when the answer is not the resource", () => {
    expect(createdPath(invite, "/identity/v1/users/abc-1", { message: "Invited" })).toBe("/identity/v1/users/abc-1");
    expect(createdPath(invite, "https://global.api.greenlake.hpe.com/identity/v1/users/abc-1", { message: "x" })).toBe("/identity/v1/users/abc-1");
    expect(createdPath(invite, "/identity/v1/users/abc-1", { id: "abc-1" })).toBeUndefined();
    expect(createdPath(invite, null, { message: "x" })).toBeUndefined();
  });

  it("property: only a path of the same API, one segment per part, is ever followed (and only its path)", () => {
    const segment = fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,8}$/), fc.constantFrom("..", ".", "", "%2e%2e", "a%2Fb", "identity", "users", "%5c"));
    const location = fc.oneof(
      fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join("/")}`),
      fc.tuple(fc.constantFrom("https://evil.example", "http://127.0.0.1:1", "//evil.example", "javascript:", ""), fc.array(segment, { maxLength: 5 })).map(([o, s]) => `${o}/${s.join("/")}`),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(location, (loc) => {
        const path = createdPath(invite, loc, { message: "x" });
        if (path === undefined) return;
        expect(path.startsWith("/identity/")).toBe(true);
        expect(path.split("/").slice(1).every((s) => s !== "" && s !== "." && s !== ".." && !/%2f|%5c|%2e%2e/i.test(s))).toBe(true);
        expect(path).not.toMatch(/^\/\/|:\/\//);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("the running mocks' state file", () => {
  const good = {
    pid: 4242,
    services: ["identity"],
    baseUrl: "http://127.0.0.1:4010",
    tokenUrl: "http://127.0.0.1:4010/authorization/v2/oauth2/0123456789abcdef0123456789abcdef/token",
    clientId: "mock-client-1",
    clientSecret: "s3cret",
    workspaceId: "0123456789abcdef0123456789abcdef",
    controlUrl: "http://127.0.0.1:4011",
    controlToken: "a".repeat(64),
    startedAt: "2026-01-01T00:00:00.000Z",
  };

  it("property: is used only when every field has its form; any other URL than loopback is refused", () => {
    expect(parseState(JSON.stringify(good))).toEqual(good);
    const hostile = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constantFrom("http://evil.example:80", "https://127.0.0.1:1", "http://127.0.0.1:1\nx", "http://127.0.0.1.evil:1", ["x"], -1, 1.5));
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(good) as (keyof typeof good)[])), hostile, (key, value) => {
        const state = parseState(JSON.stringify({ ...good, [key]: value }));
        if (state === undefined) return;
        for (const url of [state.baseUrl, state.tokenUrl, state.controlUrl]) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+(\/\S*)?$/);
        expect(Number.isSafeInteger(state.pid) && state.pid > 1).toBe(true);
      }),
      { numRuns: 1000 },
    );
    for (const text of ["", "null", "[]", "{", '{"pid":1}']) expect(parseState(text)).toBeUndefined();
  });
});

import fc from "fast-check";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../generated/services/index.js";
import { GreenLakeRequestError } from "../../src/index.js";
import type { OperationMetadata } from "../../src/metadata.js";
import { createServiceClient } from "../../src/service-client.js";

/** Request lines as the server read them: method and the raw request target, nothing normalised. */
const seen: { method: string; target: string }[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, target: req.url! });
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

type Call = (method: string, path: string, init?: unknown) => Promise<unknown>;

interface Operation extends OperationMetadata {
  service: string;
  names: string[];
}

const operations: Operation[] = serviceKeys.flatMap((service) =>
  serviceMetadata[service].operations.map((op: OperationMetadata) => ({
    ...op,
    service,
    names: [...op.path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!),
  })),
);
const withParameters = operations.filter((op) => op.names.length > 0);

const clients = new Map<string, Call>();
function requestOf(service: string): Call {
  let call = clients.get(service);
  if (call === undefined) {
    const client = createServiceClient<{}>(serviceMetadata[service as keyof typeof serviceMetadata], { baseUrl, token: "t", retry: false, pacing: false, env: {} });
    call = client.request as unknown as Call;
    clients.set(service, call);
  }
  return call;
}

// Pieces URL parsing or servers treat specially: dot segments in every spelling, separators, escapes, controls.
const HOSTILE = [".", "..", "/", "\\", "%", "%2e", "%2E", "%2e%2e", ".%2E", "%2F", "%00", "?", "#", "+", " ", "\t", "\r", "\n", "\r\n",
  "é", "😀", "\u0085", "\u2028", "\u0000", "{id}", ";", "&", "=", "[", "]", "@", ":", "~", "*", "'", "(", ")", ","];
const piece = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ unit: "binary", maxLength: 4 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
);
const hostileString = fc.array(piece, { maxLength: 4 }).map((pieces) => pieces.join(""));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => `id${String.fromCharCode(c)}`);
const notStringOrNumber = fc.oneof(fc.object(), fc.array(fc.string()), fc.boolean(), fc.bigInt(), fc.constant(null), fc.constant(undefined));
const pathValue = fc.oneof(
  { weight: 8, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom("", ".", "..") },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: notStringOrNumber },
);

const isWellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** The contract: strings other than "", "." and ".." and finite numbers can be a segment; nothing else. */
function sendable(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  return typeof value === "string" && value !== "" && value !== "." && value !== ".." && isWellFormed(value);
}

/** The server got `method` on exactly the template's segments, each parameter decoding to its value. */
function expectLandedOn(op: Operation, values: Record<string, unknown>, got: { method: string; target: string } | undefined): void {
  expect(got?.method).toBe(op.method.toUpperCase());
  const segments = got!.target.split("?")[0]!.split("/");
  const template = op.path.split("/");
  expect(segments).toHaveLength(template.length);
  template.forEach((part, i) => {
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    if (name === undefined) return expect(segments[i]).toBe(part);
    // Percent-encoded, so no server reads a `+` as a space or a `;` as parameters.
    expect(segments[i]).toMatch(/^(?:[A-Za-z0-9\-_.!~*'()]|%[0-9A-F]{2})+$/);
    expect(decodeURIComponent(segments[i]!)).toBe(String(values[name]));
  });
}

async function expectRefused(op: Operation, init: unknown, parameter: string): Promise<void> {
  const before = seen.length;
  const error = await requestOf(op.service)(op.method, op.path, init).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GreenLakeRequestError);
  const { message } = error as GreenLakeRequestError;
  expect(message).toContain(`${op.method.toUpperCase()} ${op.path}`);
  const quoted = /(?:path|query) parameter ("(?:[^"\\]|\\.)*")/.exec(message)?.[1];
  expect(JSON.parse(quoted ?? "null")).toBe(parameter);
  // One line whatever the name holds: a CR/LF in a query name cannot forge log lines.
  expect(message).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
  expect((error as GreenLakeRequestError).parameter).toBe(parameter);
  expect(seen.length).toBe(before);
}

describe("path parameters", () => {
  it(`reach exactly their own operation's segments, for every one of the ${operations.length} operations, or are refused before sending`, async () => {
    expect(operations.length).toBeGreaterThan(900);
    for (const op of operations) {
      const values = fc.record(Object.fromEntries(op.names.map((n) => [n, pathValue])));
      await fc.assert(
        fc.asyncProperty(values, async (values) => {
          const init = { params: { path: values } };
          const refused = op.names.find((n) => !sendable(values[n]));
          if (refused !== undefined) return expectRefused(op, init, refused);
          const before = seen.length;
          await requestOf(op.service)(op.method, op.path, init);
          expect(seen.length).toBe(before + 1);
          expectLandedOn(op, values, seen.at(-1));
        }),
        { numRuns: 2 },
      );
    }
  }, 300_000);

  it("that are missing are refused before sending, however they are left out", async () => {
    const leftOut = fc.constantFrom("no init", "no params", "no path", "key absent", "undefined", "null");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...withParameters), fc.nat(), leftOut, async (op, pick, how) => {
        const missing = op.names[pick % op.names.length]!;
        const path: Record<string, unknown> = Object.fromEntries(op.names.map((n) => [n, `v-${n}`]));
        if (how === "key absent") delete path[missing];
        else path[missing] = how === "null" ? null : undefined;
        const init = how === "no init" ? undefined : how === "no params" ? {} : how === "no path" ? { params: {} } : { params: { path } };
        const first = ["no init", "no params", "no path"].includes(how) ? op.names[0]! : missing;
        await expectRefused(op, init, first);
      }),
      { numRuns: 300 },
    );
  });

  it("name the call, the parameter and the fix: `..` as a device id does not delete the group", async () => {
    const op = operations.find((o) => o.method === "delete" && o.path === "/compute-ops/v1beta2/groups/{group-id}/devices/{device-id}")!;
    await expectRefused(op, { params: { path: { "group-id": "GROUP-1", "device-id": ".." } } }, "device-id");
    const error = await requestOf(op.service)("delete", op.path, { params: { path: { "group-id": "GROUP-1", "device-id": ".." } } }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/dot segment.*nothing was sent\. Pass the resource's id\./);
  });
});

const listing = operations.find((o) => o.method === "get" && o.names.length === 0 && o.commaJoinedQuery === undefined)!;
const joining = operations.find((o) => o.commaJoinedQuery !== undefined)!;

const wellFormed = hostileString.filter(isWellFormed);
const scalar = fc.oneof(wellFormed, fc.integer(), fc.boolean());
const queryValue = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.uniqueArray(fc.tuple(wellFormed, scalar), { maxLength: 3, selector: ([k]) => k }).map((entries) => Object.fromEntries(entries)),
  fc.constant(undefined),
);
const query = fc
  .uniqueArray(fc.tuple(wellFormed, queryValue), { maxLength: 4, selector: ([name]) => name })
  .map((entries) => Object.fromEntries(entries) as Record<string, unknown>);

/** The pairs a server must parse back: arrays repeated, objects as `name[key]`, missing values and empty arrays left out. */
function expectedPairs(q: Record<string, unknown>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const name in q) {
    const value = q[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) pairs.push([name, String(item)]);
    else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) pairs.push([`${name}[${k}]`, String(v)]);
    else pairs.push([name, String(value)]);
  }
  return pairs;
}

function queryOf(target: string): string {
  const at = target.indexOf("?");
  return at === -1 ? "" : target.slice(at + 1);
}

describe("query parameters", () => {
  it("come back as the same names, keys and values, whatever they contain", async () => {
    const call = requestOf(listing.service);
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        await call("get", listing.path, { params: { query: q } });
        expect([...new URLSearchParams(queryOf(seen.at(-1)!.target))]).toEqual(expectedPairs(q));
      }),
      { numRuns: 300 },
    );
  });

  it("of a comma-joined array come back item by item when split at the commas", async () => {
    const call = requestOf(joining.service);
    const name = joining.commaJoinedQuery![0]!;
    await fc.assert(
      fc.asyncProperty(fc.array(wellFormed, { minLength: 1, maxLength: 4 }), async (items) => {
        await call("get", joining.path, { params: { query: { [name]: items } } });
        const raw = queryOf(seen.at(-1)!.target);
        expect(raw.startsWith(`${name}=`)).toBe(true);
        expect(raw.slice(name.length + 1).split(",").map(decodeURIComponent)).toEqual(items);
      }),
      { numRuns: 200 },
    );
  });

  it("that cannot be sent are refused before sending, naming the parameter", async () => {
    const unsendable = fc.oneof(
      loneSurrogate,
      fc.constantFrom(Number.NaN, Infinity, -Infinity, new Date(0), new Map(), () => 1, Symbol("s")),
      fc.array(fc.oneof(fc.object(), loneSurrogate), { minLength: 1, maxLength: 2 }),
      fc.record({ key: fc.oneof(fc.object(), loneSurrogate, fc.constant(Number.NaN)) }),
    );
    await fc.assert(
      fc.asyncProperty(wellFormed, unsendable, async (name, value) => {
        await expectRefused(listing, { params: { query: { [name]: value } } }, name);
      }),
      { numRuns: 200 },
    );
  });
});

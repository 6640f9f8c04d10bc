/**
 * Request bodies on the wire for the operations of HPE's documents: each sent through the SDK to a loopback
 * server that records what arrived. media-types.test.ts sends one operation of each kind (npm test),
 * media-types-every-operation.test.ts every one (npm run test:all).
 */
import fc from "fast-check";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceMetadata } from "../../../generated/services/index.js";
import type { ServiceMetadata } from "../../../src/metadata.js";
import { createServiceClient } from "../../../src/service-client.js";

type Call = (path: string, init?: unknown) => Promise<unknown>;

const services = serviceMetadata as Record<string, ServiceMetadata>;

export interface BodyOperation {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly requestMediaTypes: readonly string[];
}

/** Every operation of the generated services that takes a request body (small, so counterexamples read well). */
export const withBody: BodyOperation[] = Object.entries(services).flatMap(([service, metadata]) =>
  metadata.operations.flatMap((op) => (op.requestMediaTypes === undefined ? [] : [{ service, method: op.method, path: op.path, requestMediaTypes: op.requestMediaTypes }])),
);
export const devicesPatch = withBody.find((op) => op.method === "patch" && op.path === "/devices/v1/devices")!;

/** What the operation's document says a body goes out as, worked out here independently of src/. */
function expectedType(declared: readonly string[]): RegExp | string {
  if (declared.includes("application/json")) return "application/json";
  const json = declared.find((type) => /^application\/[^/]+\+json$/.test(type));
  if (json !== undefined) return json;
  if (declared.includes("multipart/form-data")) return /^multipart\/form-data; boundary=\S+$/;
  throw new Error(`no expectation for ${declared.join(", ")}`);
}

/**
 * Sends each of `operations` once (the device PATCH first: a strict server refuses it as application/json),
 * then `randomCases` generated calls over every operation with a body, and checks what the server received.
 */
export function describeBodiesOnTheWire(title: string, operations: readonly BodyOperation[], randomCases: number): void {
describe(title, () => {
  let server: Server;
  let baseUrl: string;
  const received: { method: string; url: string; contentType: string | undefined; body: string }[] = [];
  const clients = new Map<string, Record<string, Call> & { request: (m: string, p: string, i?: unknown) => Promise<unknown> }>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ method: req.method!, url: req.url!, contentType: req.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function clientOf(service: string) {
    let c = clients.get(service);
    if (c === undefined) {
      // Pacing off: some operations are documented at 4 calls a minute, and a property that drew one of
      // them a fifth time waited up to a minute for its slot (pacing has its own tests).
      c = createServiceClient<{}>(services[service]!, { token: "t", baseUrl, retry: false, pacing: false, env: {} }) as never;
      clients.set(service, c);
    }
    return c;
  }

  function pathParams(path: string, id: string): Record<string, string> {
    return Object.fromEntries([...path.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1]!, id]));
  }

  it("covers the operations HPE's documents declare with a body", () => {
    expect(withBody.length).toBeGreaterThan(300);
    expect(devicesPatch.requestMediaTypes).toEqual(["application/merge-patch+json"]);
  });

  const callerHeaders = fc.oneof(
    fc.constant(undefined),
    fc.record({ kind: fc.constantFrom("object", "Headers", "params"), name: fc.constantFrom("Content-Type", "content-type", "CONTENT-TYPE"), value: fc.constantFrom("application/json", "text/plain; charset=utf-8", "application/vnd.custom+json") }),
    fc.record({ kind: fc.constantFrom("other"), name: fc.constantFrom("X-Request-Id"), value: fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/) }),
  );

  // fast-check runs examples first and counts them in numRuns.
  const examples = [devicesPatch, ...operations.filter((op) => op !== devicesPatch)].map((op): [BodyOperation, string, string, undefined, boolean] => [op, '{"a":[1,null]}', "id", undefined, false]);

  it("the server receives the declared media type (or the caller's own) and the body intact", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...withBody),
        fc.json(),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
        callerHeaders,
        fc.boolean(),
        async (op, text, id, header, viaRequest) => {
          received.length = 0;
          const multipart = !op.requestMediaTypes.some((t) => t === "application/json" || t.endsWith("+json"));
          let body: unknown = JSON.parse(text);
          if (multipart) {
            const form = new FormData();
            form.append("file", new Blob([text], { type: "text/csv" }), "upload.csv");
            body = form;
          }
          const init: Record<string, unknown> = { params: { path: pathParams(op.path, id) }, body, parseAs: "text" };
          if (header?.kind === "object" || header?.kind === "other") init.headers = { [header.name]: header.value };
          if (header?.kind === "Headers") init.headers = new Headers({ [header.name]: header.value });
          if (header?.kind === "params") init.params = { path: pathParams(op.path, id), header: { [header.name]: header.value } };
          const client = clientOf(op.service);
          if (viaRequest) await client.request(op.method, op.path, init);
          else await client[op.method.toUpperCase()]!(op.path, init);

          expect(received).toHaveLength(1);
          const [got] = received;
          expect(got!.method).toBe(op.method.toUpperCase());
          const callerType = header !== undefined && header.kind !== "other" ? header.value : undefined;
          const expected = callerType ?? expectedType(op.requestMediaTypes);
          if (typeof expected === "string") expect(got!.contentType).toBe(expected);
          else expect(got!.contentType).toMatch(expected);
          if (multipart) expect(got!.body).toContain(text);
          else expect(JSON.parse(got!.body)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: examples.length + randomCases, examples },
    );
    // Each run is a real loopback round trip; a machine busy with other suites needs more than the default 5 s.
  }, 300_000);
});
}

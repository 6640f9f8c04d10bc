/**
 * The state layer's list answers validate against each operation's documented
 * response schema, as Prism's own answers do.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../../../generated/services/index.js";
import { GreenLake, type OperationMetadata } from "../../../../src/index.js";
import type { MockCall, Mocks } from "../../../../src/testing/index.js";
import { buildRequest } from "../../support/build-request.js";
import { parseFilter } from "../../../../src/testing/odata-filter.js";
import { responseProblems } from "../../support/validate-response.js";

function parses(text: string): boolean {
  try {
    parseFilter(text);
    return true;
  } catch {
    return false;
  }
}

const operations = serviceKeys.flatMap((service) =>
  (serviceMetadata[service].operations as readonly OperationMetadata[]).filter((op) => op.pagination !== undefined).map((op) => ({ service, op })),
);

/**
 * The call this test's request made: the first call to `operation` recorded after `from`. Other tests of the
 * file run concurrently, so the last call to the operation need not be this one.
 */
export function answerTo(mocks: Mocks, operation: string, from: number): MockCall | undefined {
  return mocks.calls.slice(from).find((c) => c.operation === operation);
}

/** Prism refused the request as the document describes it: a 400 or 422 naming what broke which rule. */
export function prismRejected(call: MockCall | undefined): boolean {
  return call?.answeredBy === "mocks" && (call.status === 400 || call.status === 422);
}

let mocks: Mocks;
let gl: GreenLake;
/** Defines these tests over the mocks `shared` gives (started by the including file). */
export function defineAnswersMatchDocuments(shared: () => { mocks: Mocks; gl: GreenLake }): void {
  beforeAll(() => {
    ({ mocks, gl } = shared());
  });
  const validated: string[] = [];
  /** Operation path -> what answered it, when the state layer did not. */
  const notAnswered = new Map<string, string>();
  afterAll(async () => {
    console.log(`stateful list answers validated against their documents: ${validated.length}/${operations.length}`);
    const left = operations.map((o) => o.op.path).filter((p) => !validated.includes(p));
    console.log(`left to Prism's rejection: ${left.join(", ")}`);
    // Left to Prism's rejection: the two operations whose documents admit no valid filter, and the
    // one that requires `select` (its answers are checked whole in paging-exact.test.ts).
    expect(left, left.map((p) => notAnswered.get(p) ?? `${p}: not run`).join("\n")).toEqual(["/events/v1beta1/subscriptions", "/events/v1beta1/system-subscriptions", "/reporting/v1/report-exports-metadata"]);
  });

  type Get = (path: string, init: object) => Promise<{ response: Response; data?: unknown; error?: unknown }>;

  describe.concurrent("stateful list answers match their documents", () => {
    for (const { service, op } of operations) {
      it(`${service}: GET ${op.path}`, async () => {
        const built = buildRequest(op, "examples");
        const query = { ...built.params.query, [op.pagination!.limitParam]: Math.min(10, op.pagination!.maxPageSize ?? 10) };
        delete query[op.pagination!.pageParam];
        delete query.select;
        // Some documents' filter examples are not OData; any valid filter will do here.
        if (typeof query.filter === "string" && !parses(query.filter)) query.filter = "id ne 'no-such-id'";
        const client = gl.service(service as never) as unknown as { GET: Get };
        const before = mocks.calls.length;
        const { response, data, error } = await client.GET(op.path, { params: { ...built.params, query }, parseAs: "text" });
        const text = typeof data === "string" ? data : typeof error === "string" ? error : "";
        const call = answerTo(mocks, `GET ${op.path}`, before);
        if (call?.answeredBy !== "state") {
          // Prism rejected the documented example request (the contract suite covers that); anything else is a failure.
          const why = `GET ${op.path} answered ${response.status} by ${call?.answeredBy ?? "no recorded call"}: ${text.slice(0, 300)}`;
          notAnswered.set(op.path, why);
          expect(prismRejected(call), why).toBe(true);
          return;
        }
        expect(responseProblems(op, response.status, response.headers.get("content-type"), text)).toEqual([]);
        validated.push(op.path);
      });
    }
  });
}

/**
 * Rate limits read from the documents' prose and the project's overlay, and
 * the Idempotency-Key flag: sentences in our own words, then coverage over
 * HPE's real documents read from the local mirror.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadManifest } from "../../src/specs/manifest.js";
import { listOperations, type OpenApiDocument, type OperationRef } from "../../src/specs/openapi.js";
import { defaultManifestPath } from "../../scripts/lib/paths.js";
import { limitsFromOverlay, limitsFromProse, parseLimitSentence, rateLimitCoverage, sentencesOf } from "../../scripts/lib/rate-limits.js";
import { buildServiceMetadata } from "../../scripts/lib/service-metadata.js";
import { serviceMetadata } from "../../generated/services/index.js";
import type { ServiceMetadata } from "../../src/metadata.js";
import { hpeMirrorDir } from "./helpers.js";

function ref(description: string, method: "get" | "post" = "get", path = "/things/v1/things"): OperationRef {
  return { path, method, operation: { operationId: "op", description, responses: {} } as never, pathItem: {} };
}

describe("reading a stated limit", () => {
  it("reads digits or words, the window and who shares the limit", () => {
    expect(parseLimitSentence("Callers get 12 requests per minute per workspace.")).toEqual({ requests: 12, windowSeconds: 60, scope: "workspace" });
    expect(parseLimitSentence("Three requests per second are allowed per workspace")).toEqual({ requests: 3, windowSeconds: 1, scope: "workspace" });
    expect(parseLimitSentence("2,000 calls per hour overall")).toEqual({ requests: 2000, windowSeconds: 3600, scope: "operation" });
    expect(parseLimitSentence("At most 7 requests per minute per user")).toEqual({ requests: 7, windowSeconds: 60, scope: "api-client" });
    expect(parseLimitSentence("Limits apply here.")).toBeUndefined();
  });

  it("splits HTML and Markdown prose into sentences", () => {
    expect(sentencesOf("<p>First <b>one</b>.</p> Second: - 4 requests per minute per user. - 9 requests per minute overall.")).toEqual([
      "First one.",
      "Second:",
      "4 requests per minute per user.",
      "9 requests per minute overall.",
    ]);
  });

  it("keeps every distinct limit and reports a limit sentence without a number", () => {
    const both = limitsFromProse(ref("Limits: - 4 requests per minute per user. - 9 requests per minute overall."));
    expect(both.limits.map((l) => [l.requests, l.scope])).toEqual([[4, "api-client"], [9, "operation"]]);
    expect(both.limits[0]!.source).toBe("description of GET /things/v1/things");
    expect(both.unparsed).toEqual([]);
    const vague = limitsFromProse(ref("Rate limits apply to this call. Slow down when told."));
    expect(vague).toEqual({ limits: [], unparsed: ["Rate limits apply to this call."] });
    // An introductory sentence followed by the number is not a failure to read.
    expect(limitsFromProse(ref("Rate limits are enforced. 5 requests per minute per workspace.")).unparsed).toEqual([]);
  });

  it("adds the overlay's limits to matching operations only", () => {
    const overlay = [{ service: "things", methods: ["post"] as const, requests: 3, windowSeconds: 60, scope: "workspace" as const, group: "writes", reason: "a guide says so" }];
    expect(limitsFromOverlay("things", ref("", "post"), overlay)).toEqual([{ requests: 3, windowSeconds: 60, scope: "workspace", group: "writes", source: "overlay: a guide says so" }]);
    expect(limitsFromOverlay("things", ref("", "get"), overlay)).toEqual([]);
    expect(limitsFromOverlay("other", ref("", "post"), overlay)).toEqual([]);
  });

  it("flags operations that declare an Idempotency-Key header", () => {
    const document: OpenApiDocument = {
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      servers: [{ url: "https://global.example.com", "x-greenlake-region": "global" } as never],
      paths: {
        "/things": {
          post: { operationId: "make", parameters: [{ name: "Idempotency-Key", in: "header", schema: { type: "string" } }], responses: {} },
          put: { operationId: "put", responses: {} },
        },
      },
    } as never;
    const ops = buildServiceMetadata("things", [{ key: "things", document }]).operations;
    expect(ops.find((o) => o.method === "post")?.idempotencyKey).toBe(true);
    expect(ops.find((o) => o.method === "put")?.idempotencyKey).toBeUndefined();
  });
});

describe("coverage over HPE's documents (mirror)", () => {
  let entries: { service: string; document: OpenApiDocument; refs: OperationRef[] }[];
  beforeAll(async () => {
    const manifest = await loadManifest(defaultManifestPath);
    entries = [];
    for (const source of manifest.documents) {
      const document = JSON.parse(await readFile(join(hpeMirrorDir, `${source.key}.json`), "utf8")) as OpenApiDocument;
      entries.push({ service: source.service, document, refs: listOperations(document) });
    }
  });

  it("knows a limit for 56 of 918 operations: 34 from the documents, 22 from the overlay; one sentence gives no number", () => {
    const coverage = rateLimitCoverage(entries);
    expect(coverage.operations).toBe(918);
    expect(coverage.fromDocuments).toHaveLength(34);
    expect(coverage.fromOverlay).toHaveLength(22);
    expect(coverage.fromOverlay.every((op) => /\/(authorization|workspaces)\/v1beta1\//.test(op))).toBe(true);
    expect(coverage.unparsed.map((u) => u.split(":")[0])).toEqual(["DELETE /subscriptions/v2beta1/subscriptions/bulk"]);
  });

  it("reads the limits the device and subscription descriptions state, per workspace", () => {
    // The generated metadata: the documents after the project's corrections, as the runtime reads them.
    const metadata = new Map<string, { requests: number; windowSeconds: number; scope: string }[]>();
    for (const service of Object.values(serviceMetadata) as ServiceMetadata[]) {
      for (const op of service.operations) {
        if (op.rateLimits) metadata.set(`${op.method.toUpperCase()} ${op.path}`, op.rateLimits.map(({ requests, windowSeconds, scope }) => ({ requests, windowSeconds, scope })));
      }
    }
    expect(metadata.get("POST /devices/v1/devices")).toEqual([{ requests: 50, windowSeconds: 60, scope: "workspace" }]);
    expect(metadata.get("PATCH /devices/v1/devices")).toEqual([{ requests: 40, windowSeconds: 60, scope: "workspace" }]);
    expect(metadata.get("POST /subscriptions/v1/subscriptions")).toEqual([{ requests: 4, windowSeconds: 60, scope: "workspace" }]);
    expect(metadata.get("GET /identity/v1/users")).toEqual([{ requests: 300, windowSeconds: 60, scope: "workspace" }]);
    expect(metadata.get("GET /audit-log/v2beta1/logs")).toEqual([
      { requests: 100, windowSeconds: 60, scope: "api-client" },
      { requests: 300, windowSeconds: 60, scope: "operation" },
    ]);
    expect(metadata.get("GET /authorization/v1beta1/role-assignments")).toEqual([{ requests: 1000, windowSeconds: 60, scope: "api-client" }]);
  });

  it("flags exactly the operations that declare Idempotency-Key", () => {
    const flagged = (Object.values(serviceMetadata) as ServiceMetadata[]).flatMap((service) =>
      service.operations.filter((op) => op.idempotencyKey).map((op) => `${op.method.toUpperCase()} ${op.path}`),
    );
    expect(flagged.sort()).toEqual(["POST /compute-ops-mgmt/v1beta1/filters", "POST /compute-ops-mgmt/v1beta2/schedules"]);
  });
});

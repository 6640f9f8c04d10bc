/**
 * Every operation whose documented answer is 202 with a Location: on the
 * state layer (with the corrected documents and a controllable clock) it
 * starts its own async operation, which ends SUCCEEDED (or FAILED when
 * scripted), and what it does shows only once it succeeded.
 */
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../generated/services/index.js";
import type { OperationMetadata } from "../../src/metadata.js";
import { defaultAsyncSettings, type AsyncSettings } from "../../src/testing/async-work.js";
import { collectionModels } from "../../src/testing/collections.js";
import { fakeValue, Random } from "../../src/testing/fake-data.js";
import { RouteTable } from "../../src/testing/routes.js";
import { DocumentSchemas } from "../../src/testing/schemas.js";
import { StateLayer, type StateChange } from "../../src/testing/state-layer.js";
import { StateStore } from "../../src/testing/state-store.js";
import { projectRoot } from "../../scripts/lib/paths.js";

const operations = serviceKeys.flatMap((s) => serviceMetadata[s].operations as readonly OperationMetadata[]);
const loaded = new Map<string, DocumentSchemas>();
const schemasOf = (key: string) => {
  let doc = loaded.get(key);
  if (doc === undefined) loaded.set(key, (doc = DocumentSchemas.load(join(projectRoot, "generated", "openapi", `${key}.json`))));
  return doc;
};

/** Operations documented as 202 with a Location header (an async-operation location). */
function acceptedWithLocation(): OperationMetadata[] {
  return operations.filter((op) => {
    const doc = schemasOf(op.document);
    if (doc.operation(op.method, op.path)?.successStatus !== 202) return false;
    const item = (doc.document.paths as Record<string, Record<string, { responses?: Record<string, unknown> }>>)[op.path]?.[op.method];
    const accepted = doc.deref(item?.responses?.["202"]) as { headers?: Record<string, unknown> } | undefined;
    return Object.keys(accepted?.headers ?? {}).some((h) => h.toLowerCase() === "location");
  });
}

let cachedModels: ReturnType<typeof collectionModels> | undefined;

function world(settings: Partial<AsyncSettings> = {}) {
  let now = Date.UTC(2026, 0, 1);
  const models = (cachedModels ??= collectionModels(operations, schemasOf));
  const asyncPaths = [...new Set(operations.filter((op) => op.method === "get" && /\/async-operations\/\{[^}]+\}$/.test(op.path)).map((op) => op.path))];
  const store = new StateStore({ seed: "accepted", sizeOf: () => 3 });
  const layer = new StateLayer({
    models,
    store,
    schemasOf,
    asyncTemplates: new Map(),
    settings: { ...defaultAsyncSettings(), durationMs: 1000, ...settings },
    generateUnknownItems: true,
    now: () => now,
    operations,
    asyncPaths,
  });
  const routes = new RouteTable(operations);
  const send = (method: string, pathname: string, body?: unknown, query = new URLSearchParams()) => {
    const route = routes.match(method, pathname);
    if (route === undefined) throw new Error(`no route for ${method} ${pathname}`);
    return layer.owns(method, route.path) ? layer.handle({ method, operation: route, pathname, query, body }) : undefined;
  };
  return { layer, store, models, send, advance: (ms: number) => (now += ms) };
}

/** The path with its parameters filled in, distinct per operation so one operation's delete never meets another's item. */
function concrete(path: string, n: number): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => `00000000-0000-4000-${String(8000 + (i++ % 1000)).padStart(4, "0")}-${String(n).padStart(12, "0")}`);
}

function bodyFor(op: OperationMetadata): unknown {
  const doc = schemasOf(op.document);
  const schema = doc.operation(op.method, op.path)?.requestSchema;
  return schema === undefined ? undefined : fakeValue(doc, schema, "", { random: new Random(`${op.method} ${op.path}`), index: 0 });
}

describe("accepted (202) work on the state layer", () => {
  const accepted = acceptedWithLocation();

  it("every 202 with a Location gets its own async operation, and each one finishes", { timeout: 60_000 }, () => {
    const { send, advance } = world();
    const finished: string[] = [];
    const unfinished: string[] = [];
    const locations = new Set<string>();
    for (const [n, op] of accepted.entries()) {
      const label = `${op.method.toUpperCase()} ${op.path}`;
      const query = new URLSearchParams();
      const answer = send(op.method, concrete(op.path, n), bodyFor(op), query);
      const location = answer?.headers.location;
      if (answer?.status !== 202 || location === undefined || locations.has(location)) {
        unfinished.push(`${label}: ${answer?.status ?? "not owned"} ${location ?? ""}`);
        continue;
      }
      locations.add(location);
      const before = send("get", location);
      advance(1000);
      const after = send("get", location);
      const state = (resource: unknown) => ((resource ?? {}) as { state?: string; status?: string }).state ?? (resource as { status?: string }).status;
      if (before?.status === 200 && state(before.body) !== "SUCCEEDED" && after?.status === 200 && state(after.body) === "SUCCEEDED") finished.push(label);
      else unfinished.push(`${label}: ${state(before?.body)} -> ${state(after?.body)}`);
    }
    console.log(`202 operations with an async-operation location that finish on the mocks: ${finished.length} of ${accepted.length}`);
    expect(unfinished).toEqual([]);
    expect(finished.length).toBe(accepted.length);
    expect(accepted.length).toBeGreaterThan(240);
  });

  it("running work asks to be polled again when it will have ended: Retry-After, the whole seconds left; none once it has", () => {
    const { send, advance } = world({ durationMs: 2500 });
    const op = accepted[0]!;
    const location = send(op.method, concrete(op.path, 0), bodyFor(op))!.headers.location!;
    const job = send("post", "/compute-ops-mgmt/v1/jobs", { jobTemplate: "fd54a96c-cabc-42e3-aee3-374a2d009dba", resourceId: "P06760-B21+2M212504P8", resourceType: "compute-ops-mgmt/server" });
    const jobPath = `/compute-ops-mgmt/v1/jobs/${(job!.body as { id: string }).id}`;
    const polled = () => [location, jobPath].map((path) => send("get", path)!.headers["retry-after"]);
    expect(polled()).toEqual(["3", "3"]);
    advance(1600);
    expect(polled()).toEqual(["1", "1"]);
    advance(900);
    expect(polled()).toEqual([undefined, undefined]);
    expect((send("get", jobPath)!.body as { state?: string }).state).toBe("COMPLETE");
  });

  it("a created item shows once its operation succeeded, never before, and not at all after a scripted failure", { timeout: 60_000 }, () => {
    // Devices add one item per device named; the onboarding test follows those.
    const creates = accepted.filter((op) => op.method === "post" && !op.path.includes("{") && !op.path.startsWith("/devices/"));
    expect(creates.length).toBeGreaterThan(5);
    for (const outcome of ["succeeded", "failed"] as const) {
      const { send, advance, models, store, layer } = world({ outcome });
      const changes: StateChange[] = [];
      layer.onChange((c) => changes.push(c));
      for (const op of creates) {
        const model = models.get(op.path);
        if (model === undefined || !model.listed) continue;
        const count = () => store.items(model, op.path).length;
        const start = count();
        send("post", op.path, bodyFor(op));
        expect(count(), `${op.path} before`).toBe(start);
        advance(1000);
        layer.settle();
        expect(count(), `${op.path} after (${outcome})`).toBe(outcome === "succeeded" ? start + 1 : start);
      }
      const ended = changes.filter((c) => c.kind === "async-operation");
      expect(ended.length).toBeGreaterThan(0);
      expect(ended.every((c) => c.kind === "async-operation" && c.state === (outcome === "succeeded" ? "SUCCEEDED" : "FAILED"))).toBe(true);
    }
  });

  it("for any creates, clock steps, durations and outcomes, an item is listed exactly when its operation has succeeded", { timeout: 120_000 }, () => {
    const creates = accepted.filter((op) => op.method === "post" && !op.path.includes("{") && !op.path.startsWith("/devices/"));
    const step = fc.oneof(
      fc.record({ kind: fc.constant("create" as const), at: fc.nat(), duration: fc.integer({ min: 0, max: 5000 }), outcome: fc.constantFrom("succeeded" as const, "failed" as const) }),
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const { send, advance, models, store, layer } = world();
        let now = 0;
        const expected: { path: string; due: number; succeeds: boolean }[] = [];
        const initial = new Map<string, number>();
        const settings = (layer as unknown as { options: { settings: AsyncSettings } }).options.settings;
        for (const s of steps) {
          if (s.kind === "advance") {
            advance(s.ms);
            now += s.ms;
          } else {
            const op = creates[s.at % creates.length]!;
            const model = models.get(op.path);
            if (model === undefined || !model.listed) continue;
            if (!initial.has(op.path)) initial.set(op.path, store.items(model, op.path).length);
            settings.durationMs = s.duration;
            settings.outcome = s.outcome;
            const status = send("post", op.path, bodyFor(op))?.status;
            // The same body again may name what is already there: a 409, which changes nothing.
            const pending = expected.some((e) => e.path === op.path && e.succeeds);
            if (status === 409 && pending) continue;
            expect(status).toBe(202);
            expected.push({ path: op.path, due: now + s.duration, succeeds: s.outcome === "succeeded" });
          }
          for (const [path, start] of initial) {
            // A read of the list is what shows ended work.
            send("get", path);
            const shown = expected.filter((e) => e.path === path && e.succeeds && e.due <= now).length;
            expect(store.items(models.get(path)!, path).length, `${path} at +${now} ms`).toBe(start + shown);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

/**
 * The mocks' state layer holds tenant workspaces lazily and boundedly: any
 * sequence of workspaces used keeps at most `maxTenants` of them, the most
 * recently used ones, each still holding its own items; the main workspace
 * is never forgotten.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultAsyncSettings } from "../../src/testing/async-work.js";
import { StateLayer } from "../../src/testing/state-layer.js";
import { StateStore } from "../../src/testing/state-store.js";

const MAIN = "00000000000000000000000000000000";

function layerOf(maxTenants: number): { layer: StateLayer; main: StateStore } {
  const main = new StateStore({ seed: "s", sizeOf: () => 0, workspaceId: MAIN });
  const layer = new StateLayer({ models: new Map(), store: main, schemasOf: () => undefined, asyncTemplates: new Map(), settings: defaultAsyncSettings(), generateUnknownItems: false, maxTenants });
  return { layer, main };
}

const workspaceArb = fc.oneof(fc.constant(MAIN), fc.constant(undefined), fc.stringMatching(/^[0-9a-f]{32}$/), fc.constantFrom("11111111111111111111111111111111", "22222222222222222222222222222222", "33333333333333333333333333333333"));

describe("tenant workspaces of the mocks' state layer", () => {
  it("keeps the most recently used tenants, at most maxTenants, and always the main workspace", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(workspaceArb, { maxLength: 40 }), (max, sequence) => {
        const { layer, main } = layerOf(max);
        const seen = new Map<string, StateStore>();
        const recent: string[] = [];
        for (const id of sequence) {
          const store = layer.workspace(id);
          if (id === undefined || id === MAIN) {
            expect(store).toBe(main);
            continue;
          }
          expect(store).not.toBe(main);
          expect(store.workspaceId).toBe(id);
          // A tenant still held is the same store, with its own items; one forgotten starts afresh.
          const at = recent.indexOf(id);
          if (at >= 0) expect(store).toBe(seen.get(id));
          else if (seen.has(id)) expect(store).not.toBe(seen.get(id));
          seen.set(id, store);
          if (at >= 0) recent.splice(at, 1);
          recent.push(id);
          if (recent.length > max) recent.shift();
        }
        for (const id of recent) expect(layer.workspace(id)).toBe(seen.get(id));
      }),
      { numRuns: 300 },
    );
  });

  it("forgets every tenant on reset", () => {
    const { layer } = layerOf(4);
    const a = layer.workspace("11111111111111111111111111111111");
    layer.reset();
    expect(layer.workspace("11111111111111111111111111111111")).not.toBe(a);
  });
});

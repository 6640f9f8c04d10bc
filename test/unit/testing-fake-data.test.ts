import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../generated/services/index.js";
import type { OperationMetadata } from "../../src/index.js";
import { collectionModels } from "../../src/testing/collections.js";
import { documentsOf, findDocumentsDir } from "../../src/testing/documents.js";
import { DocumentSchemas } from "../../src/testing/schemas.js";
import { defaultCollectionSize, StateStore } from "../../src/testing/state-store.js";

const dir = await findDocumentsDir(documentsOf(serviceKeys));
const loaded = new Map<string, DocumentSchemas>();
const schemasOf = (key: string) => {
  if (!loaded.has(key)) loaded.set(key, DocumentSchemas.load(join(dir, `${key}.json`)));
  return loaded.get(key);
};
const operations = serviceKeys.flatMap((s) => serviceMetadata[s].operations as readonly OperationMetadata[]);
const models = collectionModels(operations, schemasOf);

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}

describe("generated mock data", () => {
  it("serves a seeded collection for every paginated list operation", () => {
    const paginated = operations.filter((o) => o.pagination !== undefined);
    const seeded = paginated.filter((o) => models.get(o.path)?.listed === true);
    expect(seeded.map((o) => o.path)).toEqual(paginated.map((o) => o.path));
    const listed = [...models.values()].filter((m) => m.listed).length;
    console.log(`operations with a seeded collection: ${listed} list operations (${seeded.length}/${paginated.length} paginated)`);
  });

  it("is deterministic for a seed, differs across seeds, and never says \"string\"", () => {
    const a = new StateStore({ seed: "one", sizeOf: () => 3 });
    const b = new StateStore({ seed: "one", sizeOf: () => 3 });
    const c = new StateStore({ seed: "two", sizeOf: () => 3 });
    for (const model of models.values()) {
      if (!model.listed) continue;
      const path = model.template.replace(/\{[^}]+\}/g, "parent");
      const items = a.items(model, path);
      expect(b.items(model, path)).toEqual(items);
      if (model.idField !== undefined) expect(c.items(model, path)).not.toEqual(items);
      expect(strings(items), model.template).not.toContain("string");
    }
  });

  it("names Compute Ops Management servers <product id>+<serial number>, agreeing with their hardware", () => {
    const model = models.get("/compute-ops-mgmt/v1/servers")!;
    const store = new StateStore({ seed: "greenlake", sizeOf: defaultCollectionSize });
    const servers = store.items(model, "/compute-ops-mgmt/v1/servers");
    expect(servers).toHaveLength(250);
    for (const server of servers) {
      const hardware = server.hardware as { productId?: string; serialNumber?: string };
      expect(server.id).toMatch(/^P\d{5}-B21\+\d?M\w+$/);
      if (hardware?.serialNumber !== undefined) expect(server.id).toBe(`${hardware.productId ?? String(server.id).split("+")[0]}+${hardware.serialNumber}`);
    }
    expect(new Set(servers.map((s) => s.id)).size).toBe(servers.length);
  });
});

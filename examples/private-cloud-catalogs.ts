/**
 * Private Cloud Business Edition: which system software versions can the
 * systems be updated to? List the system software catalogs.
 *
 * Run: `npx tsx examples/private-cloud-catalogs.ts` (mocks, or GreenLake when GREENLAKE_* credentials are set).
 */
import { unwrap, type GreenLake } from "greenlake-sdk";
import { plural, type Narrator } from "./support/narrator.js";
import { isMain, runExample } from "./support/run-example.js";

export const services = ["private-cloud-business"] as const;

export interface CatalogSummary {
  readonly id: string;
  readonly version: string | undefined;
}

export async function listSystemSoftwareCatalogs(gl: GreenLake, narrator: Narrator): Promise<CatalogSummary[]> {
  narrator.step("Private Cloud Business Edition: system software catalogs");
  const page = await unwrap(
    gl.privateCloudBusiness.GET("/private-cloud-business/v1beta1/system-software-catalogs", { params: { query: { limit: 10 } } }),
  );
  const catalogs = page.items.map((c) => ({ id: c.id, version: c.version }));
  narrator.say(`GET /private-cloud-business/v1beta1/system-software-catalogs: ${plural(catalogs.length, "catalog")}`);
  for (const catalog of page.items.slice(0, 3)) {
    narrator.say(`  version ${catalog.version ?? "?"}: hypervisor ${catalog.hypervisor?.version ?? "?"}, storage ${catalog.storageSoftware?.version ?? "?"}`);
  }
  return catalogs;
}

if (isMain(import.meta.url)) {
  await runExample("System software catalogs", services, listSystemSoftwareCatalogs);
}

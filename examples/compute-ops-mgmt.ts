/**
 * Compute Ops Management: an activation key to onboard an iLO, the user's
 * notification preferences, and a paged, filtered server listing. Server and
 * appliance ids contain `+`, which must reach the service intact.
 *
 * Run: `npx tsx examples/compute-ops-mgmt.ts` (mocks, or GreenLake when GREENLAKE_* credentials are set).
 */
import { odata, paginate, unwrap, type GreenLake } from "greenlake-sdk";
import { plural, short, type Narrator } from "./support/narrator.js";
import { isMain, runExample } from "./support/run-example.js";

export const services = ["compute-ops-mgmt"] as const;

export const applianceUri = "/compute-ops-mgmt/v1beta1/appliances/gateway+0b9dc54a-523f-421e-9e0f-6b586abb6b55";

export interface ComputeOptions {
  /** A server id to filter the listing on; COM server ids read `<product id>+<serial number>`. */
  readonly serverId: string;
  /** Largest number of servers to page through. */
  readonly maxServers?: number;
}

export interface ComputeOutcome {
  readonly activationKey: string;
  readonly activationKeyFilter: string;
  readonly keysListed: number;
  readonly preferenceId: string;
  readonly serverFilter: string;
  readonly serversListed: number;
}

export async function activationKeys(gl: GreenLake, narrator: Narrator): Promise<Pick<ComputeOutcome, "activationKey" | "activationKeyFilter" | "keysListed">> {
  narrator.step("Compute Ops Management: activation keys");
  const api = gl.computeOpsMgmt;
  const created = await unwrap(
    api.POST("/compute-ops-mgmt/v1beta1/activation-keys", { body: { targetDevice: "ILO" } }),
  );
  const key = created.activationKey ?? "";
  narrator.say(`created an iLO activation key ${short(key, 6)}, expires ${created.expiresAt ?? "(not stated)"}`);

  // Values become quoted literals; the `+` is percent-encoded on the wire by the client.
  const filter = odata`targetDevice eq ${"ILO"} and applianceUri eq ${applianceUri}`;
  const listing = await unwrap(api.GET("/compute-ops-mgmt/v1beta1/activation-keys", { params: { query: { filter } } }));
  narrator.say(`filter ${filter}`);
  narrator.say(`  -> ${plural(listing.items.length, "key")}`);

  await unwrap(api.DELETE("/compute-ops-mgmt/v1beta1/activation-keys/{activation_key}", { params: { path: { activation_key: key } } }));
  narrator.say(`deleted key ${short(key, 6)}`);
  return { activationKey: key, activationKeyFilter: filter, keysListed: listing.items.length };
}

export async function userPreferences(gl: GreenLake, narrator: Narrator): Promise<Pick<ComputeOutcome, "preferenceId">> {
  narrator.step("Compute Ops Management: user preferences");
  const api = gl.computeOpsMgmt;
  const existing = await unwrap(api.GET("/compute-ops-mgmt/v1/user-preferences"));
  narrator.say(`current preferences: ${plural(existing.items.length, "record")}`);

  const created = await unwrap(
    api.POST("/compute-ops-mgmt/v1/user-preferences", { body: { criticalNotification: true, warningNotification: false } }),
  );
  const id = created.id ?? "";
  narrator.say(`created preferences ${short(id)}: critical alerts on, warnings off`);

  const updated = await unwrap(
    api.PUT("/compute-ops-mgmt/v1/user-preferences/{id}", {
      params: { path: { id } },
      body: { criticalNotification: true, warningNotification: true, healthNotification: true },
    }),
  );
  narrator.say(`updated them: warnings and health alerts on (generation ${updated.generation ?? "?"})`);
  return { preferenceId: id };
}

export async function listServers(gl: GreenLake, narrator: Narrator, options: ComputeOptions): Promise<Pick<ComputeOutcome, "serverFilter" | "serversListed">> {
  narrator.step("Compute Ops Management: servers, paged and filtered");
  const serverFilter = odata`id eq ${options.serverId}`;
  let count = 0;
  for await (const server of paginate(
    gl.computeOpsMgmt,
    "/compute-ops-mgmt/v1/servers",
    { params: { query: { filter: serverFilter } } },
    { maxItems: options.maxServers ?? 50 },
  )) {
    count += 1;
    if (count <= 3) narrator.say(`${server.name ?? "(unnamed)"}  ${server.id}  ${server.hardware?.model ?? ""}`.trimEnd());
  }
  narrator.say(`filter ${serverFilter}`);
  narrator.say(`  -> ${plural(count, "server")}`);
  return { serverFilter, serversListed: count };
}

export async function computeOpsTour(gl: GreenLake, narrator: Narrator, options: ComputeOptions): Promise<ComputeOutcome> {
  return {
    ...(await activationKeys(gl, narrator)),
    ...(await userPreferences(gl, narrator)),
    ...(await listServers(gl, narrator, options)),
  };
}

export const exampleServerId = "875840-S01+1M512501AB";

if (isMain(import.meta.url)) {
  const serverId = process.env.GREENLAKE_EXAMPLE_SERVER_ID ?? exampleServerId;
  await runExample("Compute Ops Management", services, (gl, narrator, connection) => {
    // On the mocks, the example's server is one of theirs, so the filter finds it.
    const [productId, serialNumber] = serverId.split("+");
    connection.mocks?.seed("/compute-ops-mgmt/v1/servers", [{ id: serverId, name: "esx-houston-017", hardware: { model: "ProLiant DL360 Gen11", productId, serialNumber } }], { append: true });
    return computeOpsTour(gl, narrator, { serverId, maxServers: 50 });
  }, { mockOptions: { collectionSize: { "/compute-ops-mgmt/v1/user-preferences": 1 } } });
}

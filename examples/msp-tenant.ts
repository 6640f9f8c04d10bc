/**
 * Managed service providers: list the tenants of the MSP workspace, trade
 * the MSP's token for one scoped to a tenant (RFC 8693 token exchange), and
 * call an API as that tenant.
 *
 * Run: `npx tsx examples/msp-tenant.ts` (mocks, or GreenLake when GREENLAKE_* credentials are set).
 */
import { unwrap, type GreenLake } from "greenlake-sdk";
import { plural, short, type Narrator } from "./support/narrator.js";
import { isMain, runExample } from "./support/run-example.js";

export const services = ["workspace", "identity"] as const;

export interface MspOutcome {
  readonly tenantId: string;
  readonly tenantUsers: number;
}

export async function actAsTenant(gl: GreenLake, narrator: Narrator): Promise<MspOutcome> {
  narrator.step("MSP: act in a tenant workspace");
  const tenants = await unwrap(gl.workspace.GET("/workspaces/v1/msp-tenants", { params: { query: { limit: 10 } } }));
  const tenant = tenants.items[0];
  if (tenant === undefined) throw new Error("this MSP workspace has no tenants");
  narrator.say(`the MSP workspace has ${plural(tenants.items.length, "tenant")}; using "${tenant.workspaceName}" (${short(tenant.id)})`);

  // The tenant client exchanges the MSP token at the tenant's issuer on its first call.
  const asTenant = gl.forTenant(tenant.id);
  const users = await unwrap(asTenant.identity.GET("/identity/v1/users", { params: { query: { limit: 5 } } }));
  narrator.say(`exchanged the MSP token for a tenant token; as the tenant, listed ${plural(users.items.length, "user")}`);
  return { tenantId: tenant.id, tenantUsers: users.items.length };
}

if (isMain(import.meta.url)) {
  await runExample("MSP tenant", services, actAsTenant);
}

/**
 * API client credentials: create one for the workspace and one bound to an
 * MSP tenant and a provisioned service manager, list them, reset a secret,
 * delete both. Secrets are handed back once; they are never printed.
 *
 * Run: `npx tsx examples/credentials.ts` (mocks, or GreenLake when GREENLAKE_* credentials are set).
 */
import { unwrap, type GreenLake } from "greenlake-sdk";
import { plural, short, type Narrator } from "./support/narrator.js";
import { isMain, runExample } from "./support/run-example.js";

export const services = ["credentials"] as const;

export interface CredentialsOptions {
  /** `/workspaces/v1/workspaces/<id>` of an MSP tenant; with it a tenant-bound credential is created too. */
  readonly tenantUri?: string;
  /** `/service-catalog/v1beta1/service-manager-provisions/<id>` to bind that credential to. */
  readonly serviceManagerProvisionUri?: string;
}

interface TenantCredential {
  credentialName: string;
  associatedTenant: { resourceUri: string };
  associatedServiceManagerProvision?: { resourceUri: string };
}

export interface CredentialsOutcome {
  readonly createdIds: readonly string[];
  readonly listed: number;
}

export async function manageCredentials(gl: GreenLake, narrator: Narrator, options: CredentialsOptions = {}): Promise<CredentialsOutcome> {
  narrator.step("Credentials: create, list, reset secret, delete");
  const created: string[] = [];

  const plain = await unwrap(gl.credentials.POST("/workspaces/v1/credentials", { body: { credentialName: "sdk-example" } }));
  created.push(plain.id);
  narrator.say(`created "${plain.credentialName}" for the workspace: client id ${short(plain.clientId)} (secret not shown)`);

  if (options.tenantUri !== undefined) {
    const associatedTenant = { resourceUri: options.tenantUri };
    const variants: TenantCredential[] = [{ credentialName: "sdk-example-tenant", associatedTenant }];
    if (options.serviceManagerProvisionUri !== undefined) {
      const associatedServiceManagerProvision = { resourceUri: options.serviceManagerProvisionUri };
      variants.push({ credentialName: "sdk-example-tenant-service", associatedTenant, associatedServiceManagerProvision });
    }
    for (const body of variants) {
      const bound = await unwrap(gl.credentials.POST("/workspaces/v1/credentials", { body }));
      created.push(bound.id);
      const manager = bound.associatedServiceManagerProvision ? ", for a provisioned service manager" : "";
      narrator.say(`created "${bound.credentialName}" in tenant ${bound.associatedTenant?.tenantName ?? options.tenantUri}${manager}`);
    }
  }

  const listing = await unwrap(gl.credentials.GET("/workspaces/v1/credentials"));
  narrator.say(`listed ${plural(listing.items.length, "credential")}`);

  const reset = await unwrap(
    gl.credentials.POST("/workspaces/v1/credentials/{credentialId}/reset", { params: { path: { credentialId: plain.id } } }),
  );
  narrator.say(`reset the secret of ${short(reset.clientId)}: generation ${reset.generation} (new secret not shown)`);

  for (const id of created) {
    await unwrap(gl.credentials.DELETE("/workspaces/v1/credentials/{credentialId}", { params: { path: { credentialId: id } } }));
  }
  narrator.say(`deleted ${plural(created.length, "credential")}`);
  return { createdIds: created, listed: listing.items.length };
}

/** Resource URIs as HPE's guide shows them, for runs against the mocks. */
export const exampleAssociations: CredentialsOptions = {
  tenantUri: "/workspaces/v1/workspaces/c4e21187-2b70-4439-a89f-c588caf0f9c4",
  serviceManagerProvisionUri: "/service-catalog/v1beta1/service-manager-provisions/767c0c92-5ecc-4952-85d6-04a2acaaf050",
};

if (isMain(import.meta.url)) {
  const options: CredentialsOptions = process.env.GREENLAKE_CLIENT_ID ? {} : exampleAssociations;
  await runExample("Credentials", services, (gl, narrator) => manageCredentials(gl, narrator, options));
}

/**
 * The getting-started guides' scenarios, end to end through the SDK against
 * the mocks: each example's code runs once, and the requests it put on the
 * wire are checked against what the guide prescribes.
 */
import { describe, expect, it } from "vitest";
import { GreenLake } from "../../../src/index.js";
import { exampleAuthorization, manageAuthorization } from "../../../examples/authorization.js";
import { activationKeys, applianceUri, listServers, userPreferences } from "../../../examples/compute-ops-mgmt.js";
import { exampleAssociations, manageCredentials } from "../../../examples/credentials.js";
import { actAsTenant } from "../../../examples/msp-tenant.js";
import { listSystemSoftwareCatalogs } from "../../../examples/private-cloud-catalogs.js";
import { recordingNarrator } from "../../../examples/support/narrator.js";
import { manageUsers } from "../../../examples/users.js";
import { recordingFetch, type Recorder } from "./recording-fetch.js";
import { mockClientOptions } from "../support/endpoints.js";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

function client(): { gl: GreenLake; recorder: Recorder } {
  const recorder = recordingFetch();
  const gl = new GreenLake({ ...mockClientOptions(), throwOnError: true, fetch: recorder.fetch });
  return { gl, recorder };
}

/**
 * Every call got a 2xx answer and the mock found nothing in the request that
 * breaks the document. (Violations in the mock's own response come from the
 * document's examples, not from the SDK.)
 */
function expectAccepted(recorder: Recorder): void {
  for (const call of recorder.calls) {
    expect(call.status, `${call.method} ${call.path}`).toBeGreaterThanOrEqual(200);
    expect(call.status, `${call.method} ${call.path}`).toBeLessThan(300);
    const violations = JSON.parse(call.violations ?? "[]") as { location: string[]; message: string }[];
    expect(violations.filter((v) => v.location[0] === "request").map((v) => v.message), `${call.method} ${call.path}`).toEqual([]);
  }
}

/** Replaces ids in paths with `{id}` so steps compare across mock data. */
function shapes(recorder: Recorder): string[] {
  return recorder.steps().map((step) => step.replace(new RegExp(UUID, "g"), "{id}"));
}

describe("guide scenarios on the mocks", () => {
  it("Private Cloud Business Edition: lists system software catalogs", async () => {
    const { gl, recorder } = client();
    const catalogs = await listSystemSoftwareCatalogs(gl, recordingNarrator());
    expect(shapes(recorder)).toEqual(["GET /private-cloud-business/v1beta1/system-software-catalogs"]);
    expect(catalogs.length).toBeGreaterThan(0);
    expectAccepted(recorder);
  });

  it("Users: lists, invites, gets, updates preferences and deletes", async () => {
    const { gl, recorder } = client();
    const email = "jane.doe+sdk@example.com";
    const outcome = await manageUsers(gl, recordingNarrator(), { email });
    expect(shapes(recorder)).toEqual([
      "GET /identity/v1/users",
      "POST /identity/v1/users",
      "GET /identity/v1/users",
      "GET /identity/v1/users/{id}",
      "PUT /identity/v1/users/{id}",
      "DELETE /identity/v1/users/{id}",
    ]);
    const [, invite, lookup, , preferences, removal] = recorder.calls;
    expect(invite?.body).toEqual({ email, sendWelcomeEmail: false });
    // The `+` and `@` of the address arrive encoded and decode back to the address.
    expect(lookup?.url).toContain("%2B");
    expect(lookup?.query.get("filter")).toBe(`username eq '${email}'`);
    expect(preferences?.body).toEqual({ language: "en", idleTimeout: 1800 });
    expect(removal?.path).toBe(`/identity/v1/users/${outcome.userId}`);
    expectAccepted(recorder);
  });

  it("Credentials: creates with and without tenant and service manager, lists, resets, deletes", async () => {
    const { gl, recorder } = client();
    const outcome = await manageCredentials(gl, recordingNarrator(), exampleAssociations);
    expect(shapes(recorder)).toEqual([
      "POST /workspaces/v1/credentials",
      "POST /workspaces/v1/credentials",
      "POST /workspaces/v1/credentials",
      "GET /workspaces/v1/credentials",
      "POST /workspaces/v1/credentials/{id}/reset",
      "DELETE /workspaces/v1/credentials/{id}",
      "DELETE /workspaces/v1/credentials/{id}",
      "DELETE /workspaces/v1/credentials/{id}",
    ]);
    const bodies = recorder.calls.slice(0, 3).map((c) => c.body);
    expect(bodies).toEqual([
      { credentialName: "sdk-example" },
      { credentialName: "sdk-example-tenant", associatedTenant: { resourceUri: exampleAssociations.tenantUri } },
      {
        credentialName: "sdk-example-tenant-service",
        associatedTenant: { resourceUri: exampleAssociations.tenantUri },
        associatedServiceManagerProvision: { resourceUri: exampleAssociations.serviceManagerProvisionUri },
      },
    ]);
    expect(outcome.createdIds).toHaveLength(3);
    expectAccepted(recorder);
  });

  it("Authorization: scope group with scopes in batch and in bulk, role assignment lifecycle", async () => {
    const { gl, recorder } = client();
    const options = exampleAuthorization("0123456789abcdef0123456789abcdef");
    const outcome = await manageAuthorization(gl, recordingNarrator(), options);
    expect(shapes(recorder)).toEqual([
      "POST /authorization/v1beta1/scope-groups",
      "POST /authorization/v1beta1/scope-groups/{id}/scopes/batch",
      "GET /authorization/v1beta1/scope-groups/{id}/scopes",
      "DELETE /authorization/v1beta1/scope-groups/{id}/scopes/bulk",
      "POST /authorization/v1beta1/role-assignments",
      "GET /authorization/v1beta1/role-assignments/{id}",
      "PUT /authorization/v1beta1/role-assignments/{id}",
      "DELETE /authorization/v1beta1/role-assignments/{id}",
      "DELETE /authorization/v1beta1/scope-groups/{id}",
    ]);
    // The guide's bodies exactly: the service assigns `id`, `type` and timestamps.
    expect(recorder.calls[0]?.body).toEqual({ name: "sdk-example-hosts", description: "Hosts managed by the SDK example" });
    expect(recorder.calls[4]?.body).toEqual({ principal: options.principal, role: options.role, scope: [expect.stringMatching(/\/scope-groups\/[^/]+$/)] });
    const batch = recorder.calls[1]?.body as { items: { grn: string }[] };
    expect(batch.items.map((i) => i.grn)).toEqual(options.resourceGrns);
    const bulk = recorder.calls[3]?.body as { items: { id: string }[] };
    expect(bulk.items.length).toBeGreaterThan(0);
    expect(recorder.calls[5]?.path).toBe(`/authorization/v1beta1/role-assignments/${outcome.roleAssignmentId}`);
    expectAccepted(recorder);
  });

  it("Compute Ops Management: activation key with a filter whose `+` survives the trip", async () => {
    const { gl, recorder } = client();
    const outcome = await activationKeys(gl, recordingNarrator());
    expect(recorder.steps().map((s) => s.replace(/[^/]+$/, (last) => (last === "activation-keys" ? last : "{key}")))).toEqual([
      "POST /compute-ops-mgmt/v1beta1/activation-keys",
      "GET /compute-ops-mgmt/v1beta1/activation-keys",
      "DELETE /compute-ops-mgmt/v1beta1/activation-keys/{key}",
    ]);
    // The guide's body exactly: the service defaults the expiry.
    expect(recorder.calls[0]?.body).toEqual({ targetDevice: "ILO" });
    const expected = `targetDevice eq 'ILO' and applianceUri eq '${applianceUri}'`;
    expect(outcome.activationKeyFilter).toBe(expected);
    const listing = recorder.calls[1]!;
    // On the wire the `+` is `%2B` (a bare `+` would decode as a space), and it decodes back to `+`.
    expect(listing.url).toContain("gateway%2B0b9dc54a");
    expect(listing.url).not.toMatch(/gateway\+/);
    expect(listing.query.get("filter")).toBe(expected);
    expect(recorder.calls[2]?.path).toBe(`/compute-ops-mgmt/v1beta1/activation-keys/${encodeURIComponent(outcome.activationKey)}`);
    expectAccepted(recorder);
  });

  it("Compute Ops Management: gets, creates and updates user preferences", async () => {
    const { gl, recorder } = client();
    const outcome = await userPreferences(gl, recordingNarrator());
    expect(recorder.steps().map((s) => s.replace(/user-preferences\/.+$/, "user-preferences/{id}"))).toEqual([
      "GET /compute-ops-mgmt/v1/user-preferences",
      "POST /compute-ops-mgmt/v1/user-preferences",
      "PUT /compute-ops-mgmt/v1/user-preferences/{id}",
    ]);
    expect(recorder.calls[2]?.path).toBe(`/compute-ops-mgmt/v1/user-preferences/${outcome.preferenceId}`);
    expect(recorder.calls[1]?.body).toEqual({ criticalNotification: true, warningNotification: false });
    expectAccepted(recorder);
  });

  it("Compute Ops Management: pages servers filtered on an id containing `+`", async () => {
    const { gl, recorder } = client();
    const serverId = "875840-S01+1M512501AB";
    const outcome = await listServers(gl, recordingNarrator(), { serverId, maxServers: 1 });
    expect(outcome.serversListed).toBe(1);
    const page = recorder.calls[0]!;
    expect(page.path).toBe("/compute-ops-mgmt/v1/servers");
    expect(page.url).toContain("875840-S01%2B1M512501AB");
    expect(page.query.get("filter")).toBe(`id eq '${serverId}'`);
    // Paged by the operation's metadata: its largest page size, from offset 0.
    expect(page.query.get("limit")).toBe("100");
    expect(page.query.get("offset")).toBe("0");
    expectAccepted(recorder);
  });

  it("MSP: exchanges the MSP token for a tenant token and calls as the tenant", async () => {
    const { gl, recorder } = client();
    const outcome = await actAsTenant(gl, recordingNarrator());
    expect(recorder.steps()).toEqual(["GET /workspaces/v1/msp-tenants", "GET /identity/v1/users"]);
    const [asMsp, asTenant] = recorder.calls;
    expect(asMsp?.tokenDigest).toBeDefined();
    expect(asTenant?.tokenDigest).toBeDefined();
    // The tenant call carried a different token: the one the exchange returned.
    expect(asTenant?.tokenDigest).not.toBe(asMsp?.tokenDigest);
    expect(outcome.tenantId).toMatch(new RegExp(`^${UUID}$`));
    expectAccepted(recorder);
  });
});

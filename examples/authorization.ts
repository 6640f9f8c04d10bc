/**
 * Authorization: group resources into a scope group, manage its scopes in
 * bulk, then grant a role on that scope group and change the grant.
 *
 * Run: `npx tsx examples/authorization.ts` (mocks, or GreenLake when GREENLAKE_* credentials are set).
 */
import { unwrap, type GreenLake } from "greenlake-sdk";
import { plural, short, type Narrator } from "./support/narrator.js";
import { isMain, runExample } from "./support/run-example.js";

export const services = ["authorization"] as const;

export interface AuthorizationOptions {
  /** Workspace id the scope GRNs live in (32 hex digits or a UUID). */
  readonly workspaceId: string;
  /** Who receives the role, `user:<id>`, `user-group:<id>` or `api-client:<id>`. */
  readonly principal: string;
  /** Role GRN to grant. */
  readonly role: string;
  /** Resource GRNs to put in the scope group. */
  readonly resourceGrns: readonly string[];
}

export interface AuthorizationOutcome {
  readonly scopeGroupId: string;
  readonly scopesAdded: number;
  readonly scopesRemoved: number;
  readonly roleAssignmentId: string;
}

export async function manageAuthorization(gl: GreenLake, narrator: Narrator, options: AuthorizationOptions): Promise<AuthorizationOutcome> {
  narrator.step("Authorization: scope group, scopes in bulk, role assignment");
  const api = gl.authorization;

  const group = await unwrap(
    api.POST("/authorization/v1beta1/scope-groups", {
      body: { name: "sdk-example-hosts", description: "Hosts managed by the SDK example" },
    }),
  );
  narrator.say(`created scope group "${group.name}" (${short(group.id)})`);

  const added = await unwrap(
    api.POST("/authorization/v1beta1/scope-groups/{id}/scopes/batch", {
      params: { path: { id: group.id } },
      body: { items: options.resourceGrns.map((grn, i) => ({ grn, description: `resource ${i + 1}` })) },
    }),
  );
  narrator.say(`added scopes in one batch: ${added.successCount} added, ${added.errorCount} rejected`);

  const scopes = await unwrap(
    api.GET("/authorization/v1beta1/scope-groups/{id}/scopes", { params: { path: { id: group.id }, query: { limit: 100 } } }),
  );
  narrator.say(`the group holds ${plural(scopes.items.length, "scope")}`);

  const removed = await unwrap(
    api.DELETE("/authorization/v1beta1/scope-groups/{id}/scopes/bulk", {
      params: { path: { id: group.id } },
      body: { items: scopes.items.map((s) => ({ id: s.id })) },
    }),
  );
  narrator.say(`bulk-deleted scopes: ${removed.successCount} removed, ${removed.errorCount} failed`);

  const scope = [`grn:glp/workspaces/${options.workspaceId}/regions/default/providers/authorization/scope-groups/${group.id}`];
  const assignment = await unwrap(
    api.POST("/authorization/v1beta1/role-assignments", {
      body: { principal: options.principal, role: options.role, scope },
    }),
  );
  narrator.say(`granted ${lastSegment(assignment.role)} to ${assignment.principal} (${short(assignment.id)})`);

  const current = await unwrap(api.GET("/authorization/v1beta1/role-assignments/{id}", { params: { path: { id: assignment.id } } }));
  narrator.say(`read it back: generation ${current.generation}, ${plural(current.scope.length, "scope")}`);

  const updated = await unwrap(
    api.PUT("/authorization/v1beta1/role-assignments/{id}", {
      params: { path: { id: assignment.id } },
      body: { id: assignment.id, principal: current.principal, role: current.role, scope: [...current.scope, ...scope] },
    }),
  );
  narrator.say(`updated it: generation ${updated.generation}`);

  await unwrap(api.DELETE("/authorization/v1beta1/role-assignments/{id}", { params: { path: { id: assignment.id } } }));
  await unwrap(api.DELETE("/authorization/v1beta1/scope-groups/{id}", { params: { path: { id: group.id } } }));
  narrator.say("deleted the role assignment and the scope group");

  return { scopeGroupId: group.id, scopesAdded: added.successCount, scopesRemoved: removed.successCount, roleAssignmentId: assignment.id };
}

function lastSegment(grn: string): string {
  return grn.slice(grn.lastIndexOf("/") + 1);
}

/** Placeholders in the shape of HPE's guide, for runs against the mocks. */
export function exampleAuthorization(workspaceId: string): AuthorizationOptions {
  return {
    workspaceId,
    principal: "user:7600415a-8876-5722-9f3c-b0fd11112283",
    role: "grn:glp/providers/authorization/roles/compute-ops-mgmt.viewer",
    resourceGrns: [
      `grn:glp/workspaces/${workspaceId}/regions/us-west/providers/compute-ops-mgmt/servers/P00001+SN0001`,
      `grn:glp/workspaces/${workspaceId}/regions/us-west/providers/compute-ops-mgmt/servers/P00002+SN0002`,
    ],
  };
}

if (isMain(import.meta.url)) {
  const env = process.env;
  const workspaceId = env.GREENLAKE_WORKSPACE_ID ?? "0123456789abcdef0123456789abcdef";
  const options = exampleAuthorization(workspaceId);
  await runExample("Authorization", services, (gl, narrator) =>
    manageAuthorization(gl, narrator, {
      ...options,
      principal: env.GREENLAKE_EXAMPLE_PRINCIPAL ?? options.principal,
      role: env.GREENLAKE_EXAMPLE_ROLE ?? options.role,
    }),
  );
}

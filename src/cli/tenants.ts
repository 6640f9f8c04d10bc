/** `--all-tenants`: the command in every MSP tenant, a few at a time, each result tagged with its tenant. */
import type { GreenLake } from "../greenlake.js";
import { paginate } from "../pagination.js";
import { oneLine } from "./terminal-text.js";

export interface Tenant {
  /** As one printable line: a workspace id is unchanged, anything else stays invalid and fails visibly. */
  readonly id: string;
  /** The tenant's own name for its workspace, as one printable line. */
  readonly name?: string | undefined;
}

export async function listTenants(gl: GreenLake, signal: AbortSignal): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  const client = gl.workspace;
  const op = client.metadata.operations.find((o) => o.method === "get" && o.path === "/workspaces/v1/msp-tenants");
  const toTenant = (t: { id?: unknown; workspaceName?: unknown }) => (typeof t.id === "string" ? { id: oneLine(t.id), name: typeof t.workspaceName === "string" ? oneLine(t.workspaceName) : undefined } : undefined);
  if (op?.pagination) {
    for await (const t of paginate(client, "/workspaces/v1/msp-tenants", { signal } as never)) {
      const tenant = toTenant(t as never);
      if (tenant) tenants.push(tenant);
    }
  } else {
    const { data } = await client.GET("/workspaces/v1/msp-tenants", { signal });
    for (const t of (data as { items?: unknown[] } | undefined)?.items ?? []) {
      const tenant = toTenant(t as never);
      if (tenant) tenants.push(tenant);
    }
  }
  return tenants;
}

export interface TenantFailure {
  readonly tenant: Tenant;
  readonly error: unknown;
}

/** Runs `work` per tenant with at most `concurrency` at once; failures are collected, not thrown. */
export async function forEachTenant(tenants: readonly Tenant[], concurrency: number, signal: AbortSignal, work: (tenant: Tenant) => Promise<void>): Promise<TenantFailure[]> {
  const failures: TenantFailure[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tenants.length && !signal.aborted) {
      const tenant = tenants[next++]!;
      try {
        await work(tenant);
      } catch (error) {
        if (signal.aborted) throw error;
        failures.push({ tenant, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tenants.length) }, worker));
  return failures;
}

/** Tags an item with its tenant; a non-object item is wrapped. */
export function tagged(tenant: Tenant, item: unknown): Record<string, unknown> {
  if (item !== null && typeof item === "object" && !Array.isArray(item)) return { tenant: tenant.id, ...(item as Record<string, unknown>) };
  return { tenant: tenant.id, value: item };
}

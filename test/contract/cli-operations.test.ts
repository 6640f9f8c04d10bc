/**
 * Every operation through glp: the contract suite's valid request for each
 * of the 918 operations, turned into glp's options (path, query and header
 * parameters as flags, the body as --data), run against the shared mocks.
 * Counts the operations glp reaches with a 2xx answer and names the rest.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../generated/services/index.js";
import { loadService } from "../../src/cli/catalog.js";
import type { CliOperation } from "../../src/cli/metadata.js";
import { run } from "../../src/cli/run.js";
import type { OperationMetadata } from "../../src/index.js";
import { memoryIo } from "../unit/support/cli-io.js";
import { buildRequest, type BuiltRequest } from "./support/build-request.js";
import { mockEndpoints } from "./support/endpoints.js";

const home = mkdtempSync(join(tmpdir(), "glp-operations-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function flagValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(",");
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/** glp's arguments for a built request, or why glp cannot send it. */
function argsFor(op: CliOperation, request: BuiltRequest): string[] | string {
  const args: string[] = [];
  for (const [location, values] of Object.entries(request.params)) {
    for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
      const p = op.parameters.find((x) => x.in === location && x.name === name);
      if (p === undefined) return `no option for ${location} parameter ${name}`;
      args.push(`--${p.flag}`, flagValue(value));
    }
  }
  if (request.body !== undefined) {
    if (request.contentType !== undefined && !request.contentType.includes("json")) return `body of type ${request.contentType}`;
    args.push("--data", JSON.stringify(request.body));
  }
  return args;
}

describe("glp reaches every operation on the mocks", () => {
  it("calls each of the 918 operations with the contract suite's valid request", async () => {
    const m = mockEndpoints();
    const env = {
      HOME: home,
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_CACHE_HOME: join(home, "cache"),
      GREENLAKE_CLIENT_ID: m.credentials.clientId,
      GREENLAKE_CLIENT_SECRET: m.credentials.clientSecret,
      GREENLAKE_WORKSPACE_ID: m.credentials.workspaceId,
      GREENLAKE_TOKEN_URL: m.tokenUrl,
      GREENLAKE_BASE_URL: m.baseUrl,
    };
    const jobs: { service: string; meta: OperationMetadata; op: CliOperation }[] = [];
    for (const service of serviceKeys) {
      const cli = await loadService(service);
      for (const meta of serviceMetadata[service].operations as readonly OperationMetadata[]) {
        jobs.push({ service, meta, op: cli.operations.find((o) => o.method === meta.method && o.path === meta.path)! });
      }
    }
    expect(jobs).toHaveLength(918);
    const unreached: string[] = [];
    let reached = 0;
    const attempt = async (job: (typeof jobs)[number]) => {
      let why = "";
      for (const strategy of ["examples", "schemas"] as const) {
        const args = argsFor(job.op, buildRequest(job.meta, strategy));
        if (typeof args === "string") {
          why = args;
          continue;
        }
        const io = memoryIo({ env });
        const code = await run([job.service, job.op.name, ...args, "-o", "json", "--no-progress"], io);
        if (code === 0) return void reached++;
        why = `exit ${code}: ${io.err().trim().slice(0, 200)}`;
      }
      unreached.push(`${job.service} ${job.op.name} (${job.meta.method.toUpperCase()} ${job.meta.path}): ${why}`);
    };
    let next = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (next < jobs.length) await attempt(jobs[next++]!);
    }));
    console.log(`glp operations reached on the mocks: ${reached}/918`);
    for (const line of unreached) console.log(`  not reached: ${line}`);
    // The two multipart/form-data uploads are the only bodies glp cannot send (docs/cli.md, Limits).
    expect(unreached.filter((u) => !u.includes("body of type multipart/form-data"))).toEqual([]);
    expect(reached).toBeGreaterThanOrEqual(916);
  }, 600_000);
});

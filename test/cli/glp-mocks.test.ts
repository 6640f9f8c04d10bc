/**
 * The guides' tasks as a new user runs them: `glp mocks start`, then one glp
 * process per command against those mocks, each seeing what the others did
 * (an invited user is listed next; a created scope group can be assigned),
 * `--all` in every format, then `glp mocks reset` and `glp mocks stop`.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { glp, type GlpResult } from "./support/glp-process.js";

let home: string;
let env: Record<string, string | undefined>;
const stateFile = () => join(home, "config", "glp", "mocks.json");

function daemonPid(): number | undefined {
  try {
    return (JSON.parse(readFileSync(stateFile(), "utf8")) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let startedPid: number | undefined;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "glp-mocks-"));
  env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    GREENLAKE_SPECS_MIRROR: process.env.GREENLAKE_SPECS_MIRROR,
  };
});

afterAll(async () => {
  // Whatever happened above, nothing is left running: stop it, then kill its process group.
  const pid = daemonPid() ?? startedPid;
  if (pid !== undefined && alive(pid)) await glp(["mocks", "stop"], { env }).catch(() => undefined);
  if (pid !== undefined) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(home, { recursive: true, force: true });
});

async function ok(args: string[]): Promise<GlpResult> {
  const result = await glp(args, { env });
  expect(result.code, `glp ${args.join(" ")}\n${result.stderr}`).toBe(0);
  return result;
}

const json = (r: GlpResult) => JSON.parse(r.stdout) as Record<string, unknown> & Record<string, unknown>[];

describe("glp mocks: one lasting mock for a sequence of commands", () => {
  it("runs the guide tasks, each command seeing the others' effects", async () => {
    const start = await ok(["mocks", "start", "identity", "credentials", "compute-ops-mgmt", "authorization"]);
    startedPid = daemonPid();
    expect(startedPid).toBeGreaterThan(1);
    expect(start.stdout).toMatch(/^export GREENLAKE_BASE_URL='http:\/\/127\.0\.0\.1:\d+'$/m);
    expect(start.stdout).toMatch(/^export GREENLAKE_CLIENT_SECRET=/m);
    expect(statSync(stateFile()).mode & 0o777).toBe(0o600);

    // Commands that need nothing of each other run side by side, as in several terminals; each phase
    // starts once the commands whose effects it reads have ended.
    const email = "new.user@example.com";
    const [again, invited, users, credentials, firstServers, group, other, missing] = await Promise.all([
      glp(["mocks", "start", "identity"], { env }),
      // Users: invite (the created user is printed); list.
      ok(["identity", "invite-user-to-account", "--mock", "--set", `email=${email}`, "--set", "sendWelcomeEmail=false", "-o", "json"]),
      ok(["identity", "get-users", "--mock", "--limit", "3", "-o", "table"]),
      // Credentials: the table names them and their client ids.
      ok(["credentials", "get-all-credentials", "--mock", "-o", "table"]),
      // Compute Ops Management servers, then (below) by model.
      ok(["compute-ops-mgmt", "get-v1-servers", "--mock", "--limit", "1", "-o", "json"]),
      // Scope groups and role assignments: a created scope group is assigned (below), as a comma list of scopes.
      ok(["authorization", "create-scope-group", "--mock", "--set", "name=lab-servers", "-o", "json"]),
      ok(["authorization", "create-scope-group", "--mock", "--set", "name=lab-storage", "-o", "json"]),
      // A service the running mocks do not serve is a configuration error, not a fresh empty mock.
      glp(["workspace", "get-workspace", "--mock", "--workspace-id", "0".repeat(32)], { env }),
    ]);
    expect(again.code).toBe(2); // already running
    expect(json(invited).username).toBe(email);
    expect(users.stdout.split("\n")[0]).toMatch(/^ID\s+USERNAME\s/);
    expect(credentials.stdout.split("\n")[0]).toMatch(/^ID\s+CREDENTIALNAME\s+CLIENTID\s/);
    expect(missing.code).toBe(9);
    expect(missing.stderr).toMatch(/^glp: the running mocks \(glp mocks start\) serve .*, not workspace;/);
    const model = (json(firstServers)[0] as { hardware?: { model?: string } }).hardware?.model;
    expect(typeof model).toBe("string");
    const scopes = [json(group), json(other)].map((g) => String(g.grn ?? g.id));

    const [found, byModel, groups, assignment] = await Promise.all([
      // The invited user, found by another command.
      ok(["identity", "get-users", "--profile", "mock", "--filter", `username eq '${email}'`, "-o", "json"]),
      ok(["compute-ops-mgmt", "get-v1-servers", "--mock", "--all", "--filter", `hardware/model eq '${model}'`, "-o", "csv", "--columns", "id,name,hardware.model"]),
      ok(["authorization", "get-scope-groups", "--mock", "--all", "-o", "json"]),
      ok(["authorization", "create-role-assignment", "--mock", "--set", `principal=${String(json(invited).id)}`, "--set", "role=observer", "--set", `scope=${scopes.join(",")}`, "-o", "json"]),
    ]);
    expect(json(found).map((u) => u.id)).toEqual([json(invited).id]);
    const rows = byModel.stdout.trimEnd().split("\r\n");
    expect(rows[0]).toBe("id,name,hardware.model");
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows.slice(1)) expect(row.endsWith(`,${model}`)).toBe(true);
    expect(json(groups).map((g) => g.name)).toEqual(expect.arrayContaining(["lab-servers", "lab-storage"]));
    expect(json(assignment).scope).toEqual(scopes);

    // --all in every format: the same users each time (the invited one among them); the role assignment is listed.
    const [assignments, asJson, asJsonl, asYaml, asCsv, asTable, held] = await Promise.all([
      ok(["authorization", "get-role-assignments", "--mock", "--all", "-o", "table"]),
      ok(["identity", "get-users", "--mock", "--all", "-o", "json"]),
      ok(["identity", "get-users", "--mock", "--all", "-o", "jsonl"]),
      ok(["identity", "get-users", "--mock", "--all", "-o", "yaml"]),
      ok(["identity", "get-users", "--mock", "--all", "-o", "csv", "--columns", "id"]),
      ok(["identity", "get-users", "--mock", "--all", "-o", "table", "--columns", "id"]),
      // The mocks' own view.
      ok(["mocks", "state", "/identity/v1/users", "-o", "json"]),
    ]);
    expect(assignments.stdout.split("\n")[0]).toMatch(/^ID\s+PRINCIPAL\s+ROLE\s/);
    expect(assignments.stdout).toContain(String(json(invited).id).slice(0, 12));
    const ids = json(asJson).map((c) => c.id);
    expect(ids.length).toBeGreaterThan(1);
    expect(ids).toContain(json(invited).id);
    const jsonl = asJsonl.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { id: string }).id);
    const yaml = (parseYaml(asYaml.stdout) as { id: string }[]).map((c) => c.id);
    const csv = asCsv.stdout.trimEnd().split("\r\n").slice(1);
    const table = asTable.stdout.trimEnd().split("\n").slice(1);
    for (const list of [jsonl, yaml, csv, table]) expect(list).toEqual(ids);
    expect(json(held).some((u) => u.username === email)).toBe(true);

    // Back to the generated data.
    await ok(["mocks", "reset"]);
    expect(json(await ok(["identity", "get-users", "--mock", "--filter", `username eq '${email}'`, "-o", "json"]))).toEqual([]);

    await ok(["mocks", "stop"]);
    expect(alive(startedPid!)).toBe(false);
    expect(() => statSync(stateFile())).toThrow();
  }, 300_000);
});

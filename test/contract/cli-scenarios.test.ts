/**
 * glp as a process against the shared mocks, for the getting-started
 * guides' scenarios: each example runs once through the SDK, then the same
 * steps run as glp commands, and the requests on the wire (method, URL with
 * its query as encoded, body) must be the same: the SDK's as recorded by its
 * fetch, glp's as its --verbose log shows them. Listings are printed in
 * every format and each must parse to the same items.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreenLake } from "../../src/index.js";
import { startSharedMocks } from "./support/shared-prism.js";
import { loadService } from "../../src/cli/catalog.js";
import { run as runGlp } from "../../src/cli/run.js";
import { activationKeys, applianceUri, exampleServerId, listServers, userPreferences } from "../../examples/compute-ops-mgmt.js";
import { actAsTenant } from "../../examples/msp-tenant.js";
import { listSystemSoftwareCatalogs } from "../../examples/private-cloud-catalogs.js";
import { recordingNarrator } from "../../examples/support/narrator.js";
import { manageUsers } from "../../examples/users.js";
import { buildGlp, glp, type GlpResult } from "../cli/support/glp-process.js";
import { memoryIo } from "../unit/support/cli-io.js";
import { recordingFetch, type Recorder } from "./scenarios/recording-fetch.js";
import { mockClientOptions, mockEndpoints, type MockEndpoints } from "./support/endpoints.js";

let mocks: MockEndpoints;
let home: string;
let env: Record<string, string | undefined>;
const outputs: GlpResult[] = [];

beforeAll(async () => {
  mocks = mockEndpoints();
  await buildGlp();
  home = mkdtempSync(join(tmpdir(), "glp-contract-"));
  env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    GREENLAKE_CLIENT_ID: mocks.credentials.clientId,
    GREENLAKE_CLIENT_SECRET: mocks.credentials.clientSecret,
    GREENLAKE_WORKSPACE_ID: mocks.credentials.workspaceId,
    GREENLAKE_TOKEN_URL: mocks.tokenUrl,
    GREENLAKE_BASE_URL: mocks.baseUrl,
  };
});

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

async function command(service: string, method: string, path: string): Promise<string> {
  const op = (await loadService(service)).operations.find((o) => o.method === method && o.path === path);
  if (!op) throw new Error(`no command for ${method} ${path}`);
  return op.name;
}

async function sdk<T>(scenario: (gl: GreenLake) => Promise<T>): Promise<{ outcome: T; wire: string[]; recorder: Recorder }> {
  const recorder = recordingFetch();
  const outcome = await scenario(new GreenLake(mockClientOptions({ throwOnError: true, fetch: recorder.fetch })));
  return { outcome, wire: recorder.calls.map((c) => `${c.method} ${c.url}`), recorder };
}

/**
 * Runs glp commands with --verbose, which shows each request and body sent; each must succeed. The mocks here are
 * stateless (each answer depends on its request alone), so the commands run side by side and their requests are
 * read in the scenario's order.
 */
async function cli(commands: string[][]): Promise<{ wire: string[]; bodies: unknown[]; results: GlpResult[] }> {
  const results: GlpResult[] = [];
  const bodies: unknown[] = [];
  const wire: string[] = [];
  const ran = await Promise.all(commands.map((args) => glp([...args, "--verbose"], { env })));
  for (const [i, args] of commands.entries()) {
    const result = ran[i]!;
    outputs.push(result);
    expect(result.code, `glp ${args.join(" ")}\n${result.stderr}`).toBe(0);
    for (const [, request] of result.stderr.matchAll(/^> (\w+ \S+)$/gm)) wire.push(request!);
    for (const [, body] of result.stderr.matchAll(/^> {3}body (.*)$/gm)) bodies.push(JSON.parse(body!));
    results.push(result);
  }
  return { wire, bodies, results };
}

const sentBodies = (recorder: Recorder) => recorder.calls.filter((c) => c.body !== undefined).map((c) => c.body);

async function glpInProcess(args: string[], environment: Record<string, string | undefined>): Promise<GlpResult> {
  const io = memoryIo({ env: environment });
  const code = await runGlp(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

const tokenRequests = (results: readonly GlpResult[]) => results.reduce((n, r) => n + (r.stderr.match(/^glp: token request to /gm)?.length ?? 0), 0);

// Each test runs its own commands against the stateless mocks, so the tests of a group run side by side;
// the commands of all of them share one token cache, which the last test checks.
describe.concurrent("glp against the mocks: the guide scenarios", () => {
  it("Users: list, invite, find, get, update preferences, remove", async () => {
    const email = "jane.doe+sdk@example.com";
    const expected = await sdk((gl) => manageUsers(gl, recordingNarrator(), { email }));
    const id = expected.outcome.userId;
    const got = await cli([
      ["identity", await command("identity", "get", "/identity/v1/users"), "--limit", "5", "-o", "json"],
      ["identity", await command("identity", "post", "/identity/v1/users"), "--set", `email=${email}`, "--set", "sendWelcomeEmail=false"],
      ["identity", "get-users", "--filter", `username eq '${email}'`, "--limit", "1"],
      ["identity", await command("identity", "get", "/identity/v1/users/{id}"), "--id", id],
      ["identity", await command("identity", "put", "/identity/v1/users/{id}"), "--id", id, "--data", JSON.stringify({ language: "en", idleTimeout: 1800 })],
      ["identity", await command("identity", "delete", "/identity/v1/users/{id}"), "--id", id],
    ]);
    expect(got.wire).toHaveLength(6);
    expect(got.wire).toEqual(expected.wire);
    expect(got.bodies).toEqual(sentBodies(expected.recorder));
    expect(got.wire[2]).toContain("%2B");
  });

  it("Compute Ops Management: activation keys, user preferences, servers paged and filtered", async () => {
    const expected = await sdk(async (gl) => ({
      ...(await activationKeys(gl, recordingNarrator())),
      ...(await userPreferences(gl, recordingNarrator())),
      ...(await listServers(gl, recordingNarrator(), { serverId: exampleServerId, maxServers: 1 })),
    }));
    const s = "compute-ops-mgmt";
    const preferenceBody = { criticalNotification: true, warningNotification: true, healthNotification: true };
    const got = await cli([
      [s, await command(s, "post", "/compute-ops-mgmt/v1beta1/activation-keys"), "--set", "targetDevice=ILO"],
      [s, await command(s, "get", "/compute-ops-mgmt/v1beta1/activation-keys"), "--filter", `targetDevice eq 'ILO' and applianceUri eq '${applianceUri}'`],
      [s, await command(s, "delete", "/compute-ops-mgmt/v1beta1/activation-keys/{activation_key}"), "--activation-key", expected.outcome.activationKey],
      [s, await command(s, "get", "/compute-ops-mgmt/v1/user-preferences")],
      [s, await command(s, "post", "/compute-ops-mgmt/v1/user-preferences"), "--set", "criticalNotification=true", "--set", "warningNotification=false"],
      [s, await command(s, "put", "/compute-ops-mgmt/v1/user-preferences/{id}"), "--id", expected.outcome.preferenceId, "--data", JSON.stringify(preferenceBody)],
      [s, await command(s, "get", "/compute-ops-mgmt/v1/servers"), "--all", "--max-items", "1", "--filter", `id eq '${exampleServerId}'`],
    ]);
    expect(got.wire).toHaveLength(7);
    expect(got.wire).toEqual(expected.wire);
    expect(got.bodies).toHaveLength(3);
    expect(got.bodies).toEqual(sentBodies(expected.recorder));
  });

  it("Private Cloud Business Edition: system software catalogs", async () => {
    const expected = await sdk((gl) => listSystemSoftwareCatalogs(gl, recordingNarrator()));
    const got = await cli([["private-cloud-business", await command("private-cloud-business", "get", "/private-cloud-business/v1beta1/system-software-catalogs"), "--limit", "10"]]);
    expect(got.wire).toEqual(expected.wire);
  });

  it("reads the body from stdin with --data -", async () => {
    const s = "compute-ops-mgmt";
    const body = { criticalNotification: true, warningNotification: false };
    const result = await glp([s, await command(s, "post", "/compute-ops-mgmt/v1/user-preferences"), "--data", "-", "--verbose"], { env, input: JSON.stringify(body) });
    outputs.push(result);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(/^> {3}body (.*)$/m.exec(result.stderr)![1]!)).toEqual(body);
  });

  it("MSP: lists tenants, then acts as one through a token exchange", async () => {
    const expected = await sdk((gl) => actAsTenant(gl, recordingNarrator()));
    const got = await cli([
      ["workspace", await command("workspace", "get", "/workspaces/v1/msp-tenants"), "--limit", "10"],
      ["identity", "get-users", "--tenant", expected.outcome.tenantId, "--limit", "5"],
    ]);
    expect(got.wire).toEqual(expected.wire);
    // The tenant's token came from an exchange at the tenant's issuer, done by the SDK in memory.
    expect(got.results[1]!.stderr).toContain(`Token exchange for tenant workspace at`);
  });

  it("--all-tenants runs in each tenant and tags every item with it", async () => {
    // Stateful mocks: Prism's example tenant list contradicts itself (one item, total 0), which paging refuses.
    // A few tenants: each costs glp a token exchange and a listing, and three show "each" as well as three hundred.
    const stateful = await startSharedMocks({ services: ["workspace", "identity"], collectionSize: { "/workspaces/v1/msp-tenants": 3 } });
    try {
      const own = {
        ...env,
        GREENLAKE_CLIENT_ID: stateful.credentials.clientId,
        GREENLAKE_CLIENT_SECRET: stateful.credentials.clientSecret,
        GREENLAKE_WORKSPACE_ID: stateful.credentials.workspaceId,
        GREENLAKE_TOKEN_URL: stateful.tokenUrl,
        GREENLAKE_BASE_URL: stateful.baseUrl,
        // Its own token cache: the shared one is checked to hold the shared credentials' token alone.
        XDG_CACHE_HOME: join(home, "tenants-cache"),
      };
      // The listing and the command in every tenant side by side: neither changes what the other reads.
      const [listed, result] = await Promise.all([
        glp(["workspace", "get-tenants", "--all", "-o", "json"], { env: own }),
        glp(["identity", "get-users", "--all-tenants", "--limit", "2", "-o", "jsonl"], { env: own }),
      ]);
      expect(listed.code, listed.stderr).toBe(0);
      const tenants = JSON.parse(listed.stdout) as { id: string }[];
      expect(tenants).toHaveLength(3);
      expect(result.code, result.stderr).toBe(0);
      const items = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as { tenant: string });
      expect(new Set(items.map((i) => i.tenant))).toEqual(new Set(tenants.map((t) => t.id)));
    } finally {
      await stateful.stop();
    }
  });
});

describe.concurrent("glp output formats on real responses", () => {
  const listings = [
    ["identity", "get-users", "--limit", "5"],
    // The mocks answer every offset with the same page, so one page is all they can list.
    ["compute-ops-mgmt", "get-v1-servers", "--all", "--max-items", "1", "--columns", "id,name,hardware.model"],
    ["private-cloud-business", "get-system-software-catalogs", "--limit", "10"],
    ["workspace", "get-tenants"],
  ];

  // Through glp's run() in this process, the program main.js wires to the process's streams: what is under test here
  // is what each format prints for real responses; glp as a process prints every format in the scenarios above,
  // in test/cli/hostile-server.test.ts and in test/cli/glp-mocks.test.ts. Twenty processes fewer.
  it.each(listings)("%s %s prints the same items as json, jsonl, yaml, csv and table", async (...args) => {
    const run = async (format: string) => {
      const r = await glpInProcess([...args, "-o", format, "--verbose"], env);
      outputs.push(r);
      expect(r.code, `${format}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const [json, jsonl, yaml, csv, table] = await Promise.all(["json", "jsonl", "yaml", "csv", "table"].map(run));
    expect(tokenRequests(outputs)).toBe(1);
    const items = JSON.parse(json!) as Record<string, unknown>[];
    expect(Array.isArray(items) && items.length > 0).toBe(true);
    expect(jsonl!.trimEnd().split("\n").map((l) => JSON.parse(l))).toEqual(items);
    expect(parseYaml(yaml!)).toEqual(items);
    const csvLines = csv!.trimEnd().split("\r\n");
    expect(csvLines).toHaveLength(items.length + 1);
    const header = csvLines[0]!.split(",");
    if (args.includes("--columns")) expect(header).toEqual(["id", "name", "hardware.model"]);
    expect(csvLines[1]!.split(",")[0]).toBe(String(items[0]![header[0]!]));
    const tableLines = table!.trimEnd().split("\n");
    expect(tableLines).toHaveLength(items.length + 1);
    expect(tableLines[0]).toBe(tableLines[0]!.toUpperCase());
    expect(tableLines[1]).toContain(String(items[0]!.id ?? "").slice(0, 8));
  });

  it("prints a single resource whole, and --raw keeps a list's envelope", async () => {
    const raw = JSON.parse((await glp(["identity", "get-users", "--limit", "1", "--raw"], { env })).stdout) as { items: unknown[]; total?: number };
    expect(Array.isArray(raw.items)).toBe(true);
    const id = (raw.items[0] as { id: string }).id;
    const one = await glp(["identity", "get-user-detailed", "--id", id, "-o", "yaml"], { env });
    expect((parseYaml(one.stdout) as { id: string }).id).toBe(id);
  });

  it("exit codes: usage errors send nothing; a rejected secret is an auth failure", async () => {
    const [usage, auth] = await Promise.all([
      glp(["identity", "get-users", "--limit", "many", "--verbose"], { env }),
      glp(["identity", "get-users"], { env: { ...env, GREENLAKE_CLIENT_SECRET: "wrong-secret-value", XDG_CACHE_HOME: join(home, "other-cache") } }),
    ]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^glp: usage: .*--limit/);
    expect(usage.stderr).not.toMatch(/^> /m);
    expect(auth.code).toBe(3);
    expect(auth.stderr.trim().split("\n")).toHaveLength(1);
    expect(auth.stderr).not.toContain("wrong-secret-value");
  });

  it("login saves a 0600 profile without echoing the secret; whoami shows the token's expiry", async () => {
    const profileHome = mkdtempSync(join(home, "login-"));
    const profileEnv = { PATH: env.PATH, HOME: profileHome, XDG_CONFIG_HOME: join(profileHome, "config"), XDG_CACHE_HOME: join(profileHome, "cache") };
    const login = await glp(
      ["login", "--profile", "ops", "--client-id", mocks.credentials.clientId, "--workspace-id", mocks.credentials.workspaceId, "--token-url", mocks.tokenUrl, "--base-url", mocks.baseUrl, "--secret-stdin"],
      { env: profileEnv, input: `${mocks.credentials.clientSecret}\n` },
    );
    expect(login.code, login.stderr).toBe(0);
    const file = join(profileHome, "config", "glp", "profiles.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(profileHome, "config", "glp")).mode & 0o777).toBe(0o700);
    // Both read what login saved (the profile, the token its check cached), and neither changes it.
    const [whoami, users] = await Promise.all([
      glp(["whoami", "--profile", "ops", "-o", "json"], { env: profileEnv }),
      glp(["identity", "get-users", "--profile", "ops", "--limit", "1"], { env: profileEnv }),
    ]);
    expect(whoami.code, whoami.stderr).toBe(0);
    const info = JSON.parse(whoami.stdout) as { workspaceId: string; tokenExpires: string; source: string };
    expect(info).toMatchObject({ workspaceId: mocks.credentials.workspaceId, source: "profile ops" });
    expect(Date.parse(info.tokenExpires)).toBeGreaterThan(Date.now());
    expect(users.code, users.stderr).toBe(0);
    for (const r of [login, whoami, users]) expect(r.stdout + r.stderr).not.toContain(mocks.credentials.clientSecret);
    const tokens = join(profileHome, "cache", "glp", "tokens");
    expect(readdirSync(tokens).filter((f) => f.endsWith(".json"))).toHaveLength(1);
    const logout = await glp(["logout", "--profile", "ops"], { env: profileEnv });
    expect(logout.code, logout.stderr).toBe(0);
    expect(readdirSync(tokens).filter((f) => f.endsWith(".json"))).toHaveLength(0);
  });

  it("--mock starts the package's own mocks: no credentials needed", async () => {
    const result = await glp(["private-cloud-business", "get-system-software-catalogs", "--mock", "-o", "json"], { env: { PATH: env.PATH, HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as unknown[]).length).toBeGreaterThan(0);
  });
});

// After both groups: their commands ran as concurrent processes against one cache folder.
describe("glp's token cache across the commands above", () => {
  it("a burst of commands made one token request, cached in a file only the user can read", () => {
    // Every command above that used the shared credentials: six processes for users, seven for Compute Ops Management,
    // catalogs, stdin, two for MSP, and five formats of four listings in this process.
    expect(outputs).toHaveLength(6 + 7 + 1 + 1 + 2 + 5 * 4);
    expect(tokenRequests(outputs)).toBe(1);
    const dir = join(home, "cache", "glp", "tokens");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    const token = (JSON.parse(readFileSync(join(dir, files[0]!), "utf8")) as { accessToken: string }).accessToken;
    for (const r of outputs) {
      expect(r.stdout + r.stderr).not.toContain(token);
      expect(r.stdout + r.stderr).not.toContain(mocks.credentials.clientSecret);
    }
  });
});

/**
 * What glp trusts on disk (property-based): a profiles file, a cached token
 * or one of glp's folders is used only when it is a real file or folder of the
 * user's that no one else can change; a link, another user's file or one open
 * to others is refused with one line naming the path and the fix, and nothing
 * planted in it is used (no secret command runs, no planted token is sent, no
 * mode of a link's target changes, nothing is written through a link).
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPrivate, writePrivate } from "../../src/cli/files.js";
import { run } from "../../src/cli/run.js";
import { tokenCacheFile } from "../../src/cli/token-cache.js";
import { memoryIo } from "./support/cli-io.js";

const WORKSPACE = "0123456789abcdef0123456789abcdef";
const OTHER_UID = 65534;
// Only root can hand a file to another user; elsewhere the other defects are still generated.
const asRoot = process.getuid?.() === 0;

let server: Server;
let baseUrl: string;
const dirs: string[] = [];
const seen = { tokenRequests: 0, bearers: [] as string[] };

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    res.setHeader("content-type", "application/json");
    if (req.method === "POST" && url.pathname.endsWith("/token")) {
      seen.tokenRequests++;
      return res.end(JSON.stringify({ access_token: `issued-${seen.tokenRequests}`, token_type: "Bearer", expires_in: 900 }));
    }
    seen.bearers.push(String(req.headers.authorization));
    res.end(JSON.stringify({ items: [], count: 0, offset: 0, total: 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function home(): { env: Record<string, string>; root: string } {
  // The secret below shares no 8-character piece with these paths: redaction hides any such piece in output,
  // and "files-secret" would hide the path of any folder whose random name starts "se".
  const root = mkdtempSync(join(tmpdir(), "glp-files-"));
  dirs.push(root);
  return {
    root,
    env: { HOME: root, XDG_CONFIG_HOME: join(root, "config"), XDG_CACHE_HOME: join(root, "cache"), GREENLAKE_BASE_URL: baseUrl },
  };
}

async function glp(args: string[], env: Record<string, string>) {
  const io = memoryIo({ env });
  const code = await run(args, io);
  return { code, out: io.out(), err: io.err() };
}

type Defect = { link: boolean; foreign: boolean; mode: number };
const defect = fc.record({ link: fc.boolean(), foreign: asRoot ? fc.boolean() : fc.constant(false), mode: fc.oneof(fc.constant(0), fc.constantFrom(0o020, 0o002, 0o040, 0o004), fc.integer({ min: 0, max: 0o077 })) });

/** Puts `content` at `path` with the defect: behind a link, owned by another user, with extra mode bits. */
function plant(root: string, path: string, d: Defect, content: string | undefined): void {
  const real = d.link ? join(root, "elsewhere", `${Math.random().toString(36).slice(2)}`) : path;
  mkdirSync(dirname(real), { recursive: true, mode: 0o700 });
  if (content === undefined) mkdirSync(real, { mode: 0o700 });
  else writeFileSync(real, content);
  chmodSync(real, (content === undefined ? 0o700 : 0o600) | d.mode);
  if (d.foreign) chownSync(real, OTHER_UID, OTHER_UID);
  if (d.link) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    symlinkSync(real, path);
  }
}

/** Refused: a failure, and one line on stderr that names the path and a fix. */
function expectRefused(result: { code: number; err: string }, path: string): void {
  expect(result.code, result.err).not.toBe(0);
  expect(result.err.trimEnd().split("\n")).toHaveLength(1);
  expect(result.err).toContain(path);
  expect(result.err).toMatch(/(rm|chmod) /);
}

describe("glp's files (property-based)", () => {
  it("a profiles file is used only when it is the user's own regular file that no one else can read or change", async () => {
    await fc.assert(
      fc.asyncProperty(defect, async (d) => {
        const { env, root } = home();
        const marker = join(root, "secret-command-ran");
        const file = join(env.XDG_CONFIG_HOME!, "glp", "profiles.json");
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        const profile = { clientId: "files-client", workspaceId: WORKSPACE, tokenUrl: `${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token`, secret: { command: `touch ${marker}; echo s3cret` } };
        plant(root, file, d, JSON.stringify({ profiles: { default: profile } }));
        const result = await glp(["whoami", "-o", "json"], env);
        const trusted = !d.link && !d.foreign && d.mode === 0;
        if (trusted) expect(result.code, result.err).toBe(0);
        else expectRefused(result, file);
        expect(existsSync(marker)).toBe(trusted);
      }),
      { numRuns: 40 },
    );
  });

  it("a cached token is sent only from the user's own regular file that no one else can change", async () => {
    await fc.assert(
      fc.asyncProperty(defect, async (d) => {
        const { env, root } = home();
        Object.assign(env, { GREENLAKE_CLIENT_ID: "files-client", GREENLAKE_CLIENT_SECRET: "S3cretOfTheFilesTest", GREENLAKE_WORKSPACE_ID: WORKSPACE, GREENLAKE_TOKEN_URL: `${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token` });
        const file = tokenCacheFile(env, { clientId: "files-client", workspaceId: WORKSPACE, tokenUrl: env.GREENLAKE_TOKEN_URL });
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        chmodSync(dirname(dirname(file)), 0o700);
        const planted = `planted-${Math.random().toString(36).slice(2)}`;
        const now = Date.now();
        plant(root, file, d, JSON.stringify({ accessToken: planted, expiresAt: now + 600_000, refreshAt: now + 300_000, clientId: "files-client", tokenUrl: env.GREENLAKE_TOKEN_URL }));
        seen.bearers = [];
        const result = await glp(["identity", "get-users"], env);
        const used = !d.link && !d.foreign && d.mode === 0;
        // Readable by others only: not used, and replaced by a new token.
        const replaced = !d.link && !d.foreign && d.mode !== 0 && (d.mode & 0o022) === 0;
        if (used || replaced) expect(result.code, result.err).toBe(0);
        else expectRefused(result, file);
        expect(seen.bearers.includes(`Bearer ${planted}`)).toBe(used);
      }),
      { numRuns: 40 },
    );
  });

  it("glp's folders are used only when they are the user's own and no one else can change them; a link's target is never touched", async () => {
    await fc.assert(
      fc.asyncProperty(defect, fc.constantFrom("glp", "tokens"), async (d, which) => {
        const { env, root } = home();
        Object.assign(env, { GREENLAKE_CLIENT_ID: "files-client", GREENLAKE_CLIENT_SECRET: "S3cretOfTheFilesTest", GREENLAKE_WORKSPACE_ID: WORKSPACE, GREENLAKE_TOKEN_URL: `${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token` });
        const glpDir = join(env.XDG_CACHE_HOME!, "glp");
        const dir = which === "glp" ? glpDir : join(glpDir, "tokens");
        if (which === "tokens") mkdirSync(glpDir, { recursive: true, mode: 0o700 });
        plant(root, dir, d, undefined);
        const target = d.link ? join(root, "elsewhere") : undefined;
        const before = target && readdirSync(target, { recursive: true }).length;
        const modeBefore = target && statSync(join(target, readdirSync(target)[0]!)).mode;
        const result = await glp(["identity", "get-users"], env);
        const trusted = !d.link && !d.foreign && (d.mode & 0o022) === 0;
        if (trusted) {
          expect(result.code, result.err).toBe(0);
          // Narrowed to the owner alone.
          expect(lstatSync(dir).mode & 0o777).toBe(0o700);
        } else expectRefused(result, dir);
        if (target) {
          expect(readdirSync(target, { recursive: true }).length).toBe(before);
          expect(statSync(join(target, readdirSync(target)[0]!)).mode).toBe(modeBefore);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("glp's files: the cases that showed it", () => {
  it("a symlinked token-cache entry is refused, and its planted token never sent", async () => {
    const { env, root } = home();
    Object.assign(env, { GREENLAKE_CLIENT_ID: "files-client", GREENLAKE_CLIENT_SECRET: "S3cretOfTheFilesTest", GREENLAKE_WORKSPACE_ID: WORKSPACE, GREENLAKE_TOKEN_URL: `${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token` });
    const file = tokenCacheFile(env, { clientId: "files-client", workspaceId: WORKSPACE, tokenUrl: env.GREENLAKE_TOKEN_URL });
    plant(root, file, { link: true, foreign: false, mode: 0 }, JSON.stringify({ accessToken: "planted", expiresAt: Date.now() + 600_000, tokenUrl: "x", clientId: "files-client" }));
    seen.bearers = [];
    const result = await glp(["identity", "get-users"], env);
    expect(result.err).toBe(`glp: ${file} is a symbolic link, which glp does not follow; replace it with the file itself (remove it (rm ${file}) if you did not put it there)\n`);
    expect(seen.bearers).toEqual([]);
  });

  it("login writes a 0600 profile in a 0700 folder; whoami and logout use it", async () => {
    const { env } = home();
    const io = memoryIo({ env, stdin: "login-secret-value\n" });
    const tokenUrl = `${baseUrl}/authorization/v2/oauth2/${WORKSPACE}/token`;
    expect(await run(["login", "--profile", "ops", "--client-id", "files-client", "--workspace-id", WORKSPACE, "--token-url", tokenUrl, "--secret-stdin"], io), io.err()).toBe(0);
    const file = join(env.XDG_CONFIG_HOME!, "glp", "profiles.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    const whoami = await glp(["whoami", "--profile", "ops", "-o", "json"], env);
    expect(whoami.code, whoami.err).toBe(0);
    expect(JSON.parse(whoami.out)).toMatchObject({ source: "profile ops", workspaceId: WORKSPACE });
    const tokens = join(env.XDG_CACHE_HOME!, "glp", "tokens");
    expect(readdirSync(tokens).filter((f) => f.endsWith(".json"))).toHaveLength(1);
    expect((await glp(["logout", "--profile", "ops"], env)).code).toBe(0);
    expect(readdirSync(tokens)).toEqual([]);
  });

  it("writes replace a file atomically and never through a link", async () => {
    const { root } = home();
    const file = join(root, "a.json");
    await writePrivate(file, "one");
    await writePrivate(file, "two");
    expect(await readPrivate(file)).toBe("two");
    expect(readdirSync(root)).toEqual(["a.json"]);
    const target = join(root, "target");
    writeFileSync(target, "keep");
    const link = join(root, "link.json");
    symlinkSync(target, link);
    await expect(writePrivate(link, "planted")).rejects.toThrow(/symbolic link/);
    expect(await readPrivate(target)).toBe("keep");
  });
});

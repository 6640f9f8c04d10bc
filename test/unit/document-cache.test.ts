import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { correctDocument } from "../../src/specs/apply-corrections.js";
import { documentHash } from "../../src/specs/canonical.js";
import { corrections } from "../../src/specs/corrections.js";
import { correctedDocuments, defaultCacheDir, DocumentsUnavailableError, packageRoot } from "../../src/specs/document-cache.js";
import { serializeManifest, type Manifest } from "../../src/specs/manifest.js";
import type { OpenApiDocument } from "../../src/specs/openapi.js";
import { closedPort, serve, tempDir } from "../pipeline/helpers.js";

const documentFor = (key: string): OpenApiDocument => ({
  openapi: "3.1.0",
  info: { title: key, version: "1.0.0" },
  servers: [{ url: "https://global.api.greenlake.hpe.com" }],
  paths: { [`/${key}/v1/items`]: { get: { operationId: `list-${key}`, responses: { "200": { description: "ok" } } } } },
});

/** A package-like specs/ folder pinning `keys`, a mirror holding them, and an empty cache. */
async function layout(keys: readonly string[], baseUrl = "https://developer.example.invalid") {
  const root = await tempDir();
  const specsDir = join(root, "specs");
  const mirrorDir = join(root, "mirror");
  const cacheDir = join(root, "cache", "greenlake-sdk");
  await mkdir(specsDir, { recursive: true });
  await mkdir(mirrorDir, { recursive: true });
  const manifest: Manifest = { documents: keys.map((key) => ({ key, service: key, url: `${baseUrl}/docs/${key}.json?download`, sha256: documentHash(documentFor(key)) })) };
  await writeFile(join(specsDir, "sources.json"), serializeManifest(manifest));
  for (const key of keys) await writeFile(join(mirrorDir, `${key}.json`), JSON.stringify(documentFor(key)));
  return { specsDir, mirrorDir, cacheDir, manifest };
}

const expectedJson = (key: string) => correctDocument(key, documentFor(key), corrections).json;
const mode = async (path: string) => (await stat(path)).mode & 0o777;
// A limit no loopback answer comes near, even on a machine ten times slower: no test here is about the limit.
const quick = { timeoutMs: 10_000, retries: 1, retryDelayMs: 1 };

describe("correctedDocuments", () => {
  it("fills the cache from GREENLAKE_SPECS_MIRROR with corrected documents only the user can read", async () => {
    const { specsDir, mirrorDir, cacheDir } = await layout(["alpha", "beta"]);
    const dir = await correctedDocuments({ keys: ["alpha", "beta"], specsDir, cacheDir, env: { GREENLAKE_SPECS_MIRROR: mirrorDir } });
    expect(dir.startsWith(join(cacheDir, "corrected"))).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(["alpha.json", "beta.json"]);
    expect(await readFile(join(dir, "alpha.json"), "utf8")).toBe(expectedJson("alpha"));
    // The corrections ran: every server is named by its region.
    expect(JSON.parse(await readFile(join(dir, "beta.json"), "utf8")).servers[0]["x-greenlake-region"]).toBe("global");
    expect(await mode(cacheDir)).toBe(0o700);
    for (const file of ["alpha.json", "beta.json"]) {
      expect(await mode(join(dir, file))).toBe(0o600);
      expect(await mode(join(cacheDir, "documents", file))).toBe(0o600);
    }
  });

  it("serves later runs from the cache, without mirror or network", async () => {
    const { specsDir, mirrorDir, cacheDir } = await layout(["alpha"]);
    const first = await correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: { GREENLAKE_SPECS_MIRROR: mirrorDir } });
    await rm(mirrorDir, { recursive: true });
    const port = await closedPort();
    const second = await correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: { GREENLAKE_SPECS_UPSTREAM_ORIGIN: `http://127.0.0.1:${port}` }, ...quick });
    expect(second).toBe(first);
  });

  it("re-corrects from the cached upstream copy when a corrected file is gone", async () => {
    const { specsDir, mirrorDir, cacheDir } = await layout(["alpha"]);
    const dir = await correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: { GREENLAKE_SPECS_MIRROR: mirrorDir } });
    await rm(join(dir, "alpha.json"));
    await rm(mirrorDir, { recursive: true });
    await correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: {} });
    expect(await readFile(join(dir, "alpha.json"), "utf8")).toBe(expectedJson("alpha"));
  });

  it("uses pinned documents found next to the manifest (a checkout's specs/) before anything else", async () => {
    const { specsDir, mirrorDir, cacheDir } = await layout(["alpha"]);
    await writeFile(join(specsDir, "alpha.json"), JSON.stringify(documentFor("alpha"), null, 2));
    await rm(mirrorDir, { recursive: true });
    const dir = await correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: {} });
    expect(await readFile(join(dir, "alpha.json"), "utf8")).toBe(expectedJson("alpha"));
    await expect(readdir(join(cacheDir, "documents"))).rejects.toThrow();
  });

  it("downloads from the portal (here a loopback stand-in) when there is no mirror", async () => {
    const requests: string[] = [];
    const base = await serve((req, res) => {
      requests.push(req.url!);
      res.end(JSON.stringify(documentFor(req.url!.split("/").pop()!.replace(/\.json.*$/, ""))));
    });
    const { specsDir, cacheDir } = await layout(["alpha", "beta"]);
    const dir = await correctedDocuments({ keys: ["beta"], specsDir, cacheDir, env: { GREENLAKE_SPECS_UPSTREAM_ORIGIN: base }, ...quick });
    expect(requests).toEqual(["/docs/beta.json?download"]);
    expect(await readdir(dir)).toEqual(["beta.json"]);
  });

  it("fails with one line naming the document and what to do when the portal is unreachable and no mirror is set", async () => {
    const port = await closedPort();
    const { specsDir, cacheDir } = await layout(["alpha", "beta", "gamma"]);
    // The documents are fetched together: whichever fails first is the one named.
    const failure = correctedDocuments({ keys: ["alpha", "beta", "gamma"], specsDir, cacheDir, env: { GREENLAKE_SPECS_UPSTREAM_ORIGIN: `http://127.0.0.1:${port}` }, ...quick });
    await expect(failure).rejects.toBeInstanceOf(DocumentsUnavailableError);
    const message = ((await failure.catch((error: unknown) => error)) as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toMatch(
      /^The GreenLake mocks could not obtain HPE's document (alpha|beta|gamma): could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) after 2 attempts, so 2 other documents were not tried; allow access to developer\.example\.invalid, or set GREENLAKE_SPECS_MIRROR/,
    );
    await expect(readdir(join(cacheDir, "corrected"))).rejects.toThrow();
  });

  it("names a mirror holding another version than the pins", async () => {
    const { specsDir, mirrorDir, cacheDir } = await layout(["alpha"]);
    await writeFile(join(mirrorDir, "alpha.json"), JSON.stringify({ ...documentFor("alpha"), info: { title: "alpha", version: "2" } }));
    await expect(correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: { GREENLAKE_SPECS_MIRROR: mirrorDir } })).rejects.toThrow(
      /^The GreenLake mocks could not obtain HPE's document alpha: content hash \w+… does not match the pin \w+… in specs\/sources.json; GREENLAKE_SPECS_MIRROR \(.*\) holds another version/,
    );
  });

  it("finds this package's own folder and a per-user cache folder", () => {
    expect(packageRoot()).toBe(join(import.meta.dirname, "..", ".."));
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/var/cache/me" })).toBe("/var/cache/me/greenlake-sdk");
    // A relative XDG_CACHE_HOME is invalid per the XDG spec and ignored.
    expect(defaultCacheDir({ XDG_CACHE_HOME: "relative" })).toMatch(/\/\.cache\/greenlake-sdk$/);
  });
});

describe("correctedDocuments against hostile sources (property)", () => {
  type Behaviour = "ok" | "flaky" | "drop" | "404" | "wrong" | "garbage";
  const bad: readonly Behaviour[] = ["drop", "404", "wrong", "garbage"];
  type Leftover = "none" | "stale" | "truncated";

  it("either serves every document corrected from its pinned version, or fails in one line naming a document that could not be had", async () => {
    const plans = new Map<string, Behaviour>();
    const seen = new Map<string, number>();
    const base = await serve((req, res) => {
      const path = new URL(req.url!, "http://x").pathname;
      const key = path.slice(path.lastIndexOf("/") + 1, -".json".length);
      const times = (seen.get(path) ?? 0) + 1;
      seen.set(path, times);
      const behaviour = plans.get(path);
      if (behaviour === "drop") return void req.socket.destroy();
      if (behaviour === "404") return void res.writeHead(404).end();
      if (behaviour === "flaky" && times === 1) return void res.writeHead(503).end();
      if (behaviour === "garbage") return void res.end('{"openapi": ');
      res.end(JSON.stringify(behaviour === "wrong" ? { ...documentFor(key), info: { title: "changed", version: "2" } } : documentFor(key)));
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ behaviour: fc.constantFrom<Behaviour>("ok", "flaky", "drop", "404", "wrong", "garbage"), leftover: fc.constantFrom<Leftover>("none", "stale", "truncated") }), { minLength: 1, maxLength: 5 }),
        async (plan) => {
          run++;
          const keys = plan.map((_, i) => `r${run}d${i}`);
          const { specsDir, cacheDir } = await layout(keys, base);
          await mkdir(join(cacheDir, "documents"), { recursive: true });
          for (const [i, { behaviour, leftover }] of plan.entries()) {
            plans.set(`/docs/${keys[i]}.json`, behaviour);
            // What an interrupted or older run may have left in the cache.
            if (leftover === "stale") await writeFile(join(cacheDir, "documents", `${keys[i]}.json`), JSON.stringify({ ...documentFor(keys[i]!), info: { title: "old", version: "0" } }));
            if (leftover === "truncated") await writeFile(join(cacheDir, "documents", `${keys[i]}.json`), '{"openapi": "3.1');
          }
          const outcome = await correctedDocuments({ keys, specsDir, cacheDir, env: { GREENLAKE_SPECS_UPSTREAM_ORIGIN: base }, ...quick }).then(
            (dir) => ({ dir }),
            (error: unknown) => ({ error }),
          );
          if ("dir" in outcome) {
            expect(plan.every((p) => !bad.includes(p.behaviour))).toBe(true);
            for (const key of keys) expect(await readFile(join(outcome.dir, `${key}.json`), "utf8")).toBe(expectedJson(key));
          } else {
            expect(outcome.error).toBeInstanceOf(DocumentsUnavailableError);
            const message = (outcome.error as Error).message;
            expect(message).not.toContain("\n");
            const named = /^The GreenLake mocks could not obtain HPE's document (\S+): /.exec(message)?.[1];
            expect(named).toBeDefined();
            expect(bad).toContain(plan[keys.indexOf(named!)]!.behaviour);
            expect(message).toContain("GREENLAKE_SPECS_MIRROR");
          }
          // Nothing unpinned is ever served: every corrected file there is matches its pinned source.
          for (const set of (await readdir(join(cacheDir, "corrected")).catch(() => [] as string[])).filter((name) => !name.endsWith(".pins.json"))) {
            for (const file of await readdir(join(cacheDir, "corrected", set))) {
              expect(await readFile(join(cacheDir, "corrected", set, file), "utf8")).toBe(expectedJson(file.slice(0, -".json".length)));
              expect(await mode(join(cacheDir, "corrected", set, file))).toBe(0o600);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("a damaged corrected document in the cache (property)", () => {
  const damage = fc.oneof(
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant("append" as const), text: fc.string({ minLength: 1, maxLength: 40 }) }),
    fc.record({ kind: fc.constant("replace" as const), text: fc.json() }),
    fc.record({ kind: fc.constant("pins" as const), text: fc.string({ maxLength: 80 }) }),
  );

  it("is detected against its pin and rebuilt, whatever the damage, without mirror or network", async () => {
    await fc.assert(
      fc.asyncProperty(damage, async (hurt) => {
        const { specsDir, mirrorDir, cacheDir } = await layout(["alpha"]);
        const dir = await correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: { GREENLAKE_SPECS_MIRROR: mirrorDir } });
        const file = join(dir, "alpha.json");
        const good = await readFile(file);
        let bad: Buffer;
        if (hurt.kind === "truncate") bad = good.subarray(0, hurt.at % good.length);
        else if (hurt.kind === "flip") {
          bad = Buffer.from(good);
          bad[hurt.at % bad.length] = bad[hurt.at % bad.length]! ^ hurt.bits;
        } else if (hurt.kind === "append") bad = Buffer.concat([good, Buffer.from(hurt.text)]);
        else if (hurt.kind === "replace") bad = Buffer.from(hurt.text);
        else bad = good;
        if (hurt.kind === "pins") {
          // The pins themselves damaged, and the document too: neither is trusted.
          await writeFile(`${dir}.pins.json`, hurt.text);
          await writeFile(file, good.subarray(0, good.length - 1));
        } else await writeFile(file, bad);
        await rm(mirrorDir, { recursive: true });
        const again = await correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: {} });
        expect(again).toBe(dir);
        expect(await readFile(file, "utf8")).toBe(expectedJson("alpha"));
      }),
      { numRuns: 40 },
    );
  });

  it("a truncated corrected document is rebuilt on the next start, not served", async () => {
    const { specsDir, mirrorDir, cacheDir } = await layout(["alpha"]);
    const dir = await correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: { GREENLAKE_SPECS_MIRROR: mirrorDir } });
    const text = await readFile(join(dir, "alpha.json"), "utf8");
    await writeFile(join(dir, "alpha.json"), text.slice(0, Math.floor(text.length / 2)));
    await correctedDocuments({ keys: ["alpha"], specsDir, cacheDir, env: { GREENLAKE_SPECS_MIRROR: mirrorDir } });
    expect(await readFile(join(dir, "alpha.json"), "utf8")).toBe(expectedJson("alpha"));
  });
});

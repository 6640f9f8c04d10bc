/**
 * `glp mocks start` writes its log in the user's cache folder: a link planted
 * at the log's name is refused, never followed, so its target is untouched.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { glp } from "./support/glp-process.js";

const home = mkdtempSync(join(tmpdir(), "glp-mocks-log-"));
const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, "config"), XDG_CACHE_HOME: join(home, "cache"), GREENLAKE_SPECS_MIRROR: process.env.GREENLAKE_SPECS_MIRROR };
afterAll(async () => {
  // Should the start have gone through, nothing is left running.
  await glp(["mocks", "stop"], { env }).catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

it("refuses a link planted at the mocks' log and leaves its target as it was", async () => {
  const cache = join(home, "cache", "glp");
  mkdirSync(cache, { recursive: true, mode: 0o700 });
  const target = join(home, "precious.txt");
  writeFileSync(target, "keep me\n");
  symlinkSync(target, join(cache, "mocks.log"));
  const result = await glp(["mocks", "start", "identity"], { env });
  expect(result.code).not.toBe(0);
  expect(readFileSync(target, "utf8")).toBe("keep me\n");
});

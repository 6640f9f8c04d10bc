// The installed package's mocks, offline: HPE's documents come from GREENLAKE_SPECS_MIRROR into a
// per-user cache (XDG_CACHE_HOME), the portal is a closed loopback port, and a real call goes through.
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { GreenLake } from "greenlake-sdk";
import { startMocks } from "greenlake-sdk/testing";

const mocks = await startMocks({ services: ["identity"] });
try {
  const gl = new GreenLake(mocks.clientOptions({ throwOnError: true }));
  const { data } = await gl.identity.GET("/identity/v1/users", { params: { query: { limit: 1 } } });
  assert.ok(Array.isArray(data.items));
  assert.equal(mocks.unavailable.size, 0);
} finally {
  await mocks.stop();
}
const cache = join(process.env.XDG_CACHE_HOME, "greenlake-sdk");
assert.equal(statSync(cache).mode & 0o777, 0o700);
const files = readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
assert.ok(files.length >= 2, "the cache holds the pinned and the corrected document");
for (const file of files) assert.equal(statSync(join(file.parentPath, file.name)).mode & 0o777, 0o600, `${file.name} is readable by its owner only`);
console.log("mocks (esm, mirror): ok");

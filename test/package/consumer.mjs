// Uses the installed package through `import`: root entry, one service entry, a real call.
import assert from "node:assert/strict";
import { GreenLake, GreenLakeError } from "greenlake-sdk";
import { createComputeOpsMgmtClient } from "greenlake-sdk/compute-ops-mgmt";
import { startMocks } from "greenlake-sdk/testing";
import smoke from "./smoke-server.cjs";

const server = await smoke.startSmokeServer();
try {
  const gl = new GreenLake({ token: "smoke-token", baseUrl: server.baseUrl, retry: false });
  const { data } = await gl.computeOpsMgmt.GET("/compute-ops-mgmt/v1/servers");
  assert.equal(data.items[0].id, "smoke-server-1");

  const com = createComputeOpsMgmtClient({ token: "smoke-token", baseUrl: server.baseUrl, retry: false });
  const listed = await com.GET("/compute-ops-mgmt/v1/servers", { params: { query: { limit: 1 } } });
  assert.equal(listed.data.count, 1);
  assert.deepEqual([...new Set(server.authorizations)], ["Bearer smoke-token"]);
  assert.equal(typeof GreenLakeError, "function");
  assert.equal(typeof startMocks, "function");
  console.log("esm: ok");
} finally {
  await server.close();
}

// Uses the installed package through `require`: root entry, one service entry, a real call.
const assert = require("node:assert/strict");
const { GreenLake, GreenLakeError } = require("greenlake-sdk");
const { createComputeOpsMgmtClient } = require("greenlake-sdk/compute-ops-mgmt");
const { startMocks } = require("greenlake-sdk/testing");
const { startSmokeServer } = require("./smoke-server.cjs");

async function main() {
  const server = await startSmokeServer();
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
    console.log("cjs: ok");
  } finally {
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

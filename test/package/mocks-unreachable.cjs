// The installed package's mocks without a mirror and with the portal unreachable (a closed loopback
// port): start-up fails with one line naming the document and what to do.
const assert = require("node:assert/strict");
const { startMocks } = require("greenlake-sdk/testing");

startMocks({ services: ["identity"] }).then(
  async (mocks) => {
    await mocks.stop();
    console.error("startMocks succeeded without documents");
    process.exit(1);
  },
  (error) => {
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.message, /^The GreenLake mocks could not obtain HPE's document identity\S*: could not reach .*; allow access to developer\.greenlake\.hpe\.com, or set GREENLAKE_SPECS_MIRROR/);
    console.log("mocks (cjs, unreachable portal): ok");
  },
);

// Loopback stand-in for GreenLake used by the installed-package smoke test:
// one list operation, 404 for everything else, and a record of the auth headers seen.
const { createServer } = require("node:http");

exports.startSmokeServer = function startSmokeServer() {
  const authorizations = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    const found = req.url.startsWith("/compute-ops-mgmt/v1/servers");
    const body = found
      ? { items: [{ id: "smoke-server-1", name: "smoke" }], offset: 0, count: 1, total: 1 }
      : { httpStatusCode: 404, errorCode: "HPE_GL_ERROR_NOT_FOUND", message: "not found", debugId: "smoke-debug" };
    res.writeHead(found ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        baseUrl: `http://127.0.0.1:${server.address().port}`,
        authorizations,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
};

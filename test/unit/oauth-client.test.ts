import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { ClientCredentials as PackageClientCredentials, type ModuleOptions } from "simple-oauth2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClientCredentials } from "../../src/internal/oauth-client.js";

interface Seen {
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: [string, string][];
}

let server: Server;
let origin: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      seen.push({
        path: req.url ?? "",
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        form: [...new URLSearchParams(raw)].sort(([a], [b]) => a.localeCompare(b)),
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ access_token: "t", token_type: "Bearer", expires_in: 900 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const printable = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /^[\x20-\x7E]+$/.test(s));

describe("client credentials without simple-oauth2's option schema", () => {
  it("sends the issuer exactly what simple-oauth2's own entry sends, for any credentials and settings", async () => {
    const Trimmed = await loadClientCredentials();
    await fc.assert(
      fc.asyncProperty(
        printable,
        printable,
        fc.constantFrom<"body" | "header">("body", "header"),
        fc.constantFrom("/token", "/authorization/v2/oauth2/0123456789abcdef0123456789abcdef/token", "/as/token.oauth2?x=1"),
        fc.record({ grant_type: fc.constant("urn:ietf:params:oauth:grant-type:token-exchange"), subject_token: printable }, { requiredKeys: [] }),
        async (id, secret, authorizationMethod, tokenPath, params) => {
          const options: ModuleOptions = {
            client: { id, secret },
            auth: { tokenHost: origin, tokenPath },
            options: { authorizationMethod, bodyFormat: "form" },
            http: { timeout: 5000 },
          };
          seen.length = 0;
          const mine = await new Trimmed(options).getToken(params as never);
          const theirs = await new PackageClientCredentials(options).getToken(params as never);
          expect(seen).toHaveLength(2);
          expect(seen[0]).toEqual(seen[1]);
          // expires_at is computed from the clock at parse time; the rest must match.
          const { expires_at: _mine, ...mineToken } = mine.token;
          const { expires_at: _theirs, ...theirToken } = theirs.token;
          expect(mineToken).toEqual(theirToken);
        },
      ),
      { numRuns: 60 },
    );
  });
});

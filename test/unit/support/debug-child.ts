/**
 * A process that signs in with a client secret, calls as the workspace and as a tenant, with whatever DEBUG its
 * environment sets (no-secret.test.ts runs it with DEBUG=*): argv is the mocks' URL, workspace id and secret.
 */
import { createRequire } from "node:module";
import { GreenLake } from "../../../src/index.js";

const [url, workspaceId, clientSecret] = process.argv.slice(2) as [string, string, string];
const gl = new GreenLake({ clientId: "debug-client", clientSecret, workspaceId, tokenUrl: `${url}/authorization/v2/oauth2/${workspaceId}/token`, baseUrl: url, retry: false, env: {} });
await gl.identity.GET("/identity/v1/users").catch(() => {});
const msp = gl.forTenant("fedcba9876543210fedcba9876543210");
await msp.identity.GET("/identity/v1/users").catch(() => {});
// The `debug` simple-oauth2 uses still prints other namespaces: DEBUG=* reached it.
const require = createRequire(createRequire(import.meta.url).resolve("simple-oauth2"));
(require("debug") as (namespace: string) => (message: string) => void)("sanity:check")("other namespaces still print");

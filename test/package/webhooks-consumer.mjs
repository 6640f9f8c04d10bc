// Uses the installed package's webhook receiver through `import` and `require`: sign, verify, refuse.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { GreenLakeWebhookError, signatureHeader, verifyWebhook } from "greenlake-sdk/webhooks";

const body = JSON.stringify({ specversion: "1.0", id: "e-1", source: "//global.api.greenlake.hpe.com/devices", type: "com.hpe.greenlake.devices.v1.devices.created", data: {} });
const headers = { "hpe-webhook-signature": await signatureHeader("smoke-secret", body) };
const events = await verifyWebhook({ body, headers, secrets: "smoke-secret" });
assert.equal(events[0].id, "e-1");
await assert.rejects(verifyWebhook({ body, headers, secrets: "other-secret" }), (e) => e instanceof GreenLakeWebhookError && e.reason === "bad-signature");
const required = createRequire(import.meta.url)("greenlake-sdk/webhooks");
assert.equal(typeof required.createWebhookHandler, "function");
console.log("webhooks: ok");

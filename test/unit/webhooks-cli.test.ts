/**
 * `glp webhooks verify`: which secret matched, or why none did; secrets from
 * standard input, the environment or a profile, never argv; nothing of a
 * secret or a hostile body's control characters reaches the terminal.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { memoryIo } from "./support/cli-io.js";

const dir = mkdtempSync(join(tmpdir(), "glp-webhooks-"));
const body = JSON.stringify({ specversion: "1.0", id: "evt-1\u001b[31m", source: "//global.api.greenlake.hpe.com/devices", type: "com.hpe.greenlake.devices.v1.devices.created", data: {} });
const bodyFile = join(dir, "body.json");
writeFileSync(bodyFile, body);
const sig = (secret: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const PRIMARY = "primary-Secret-Never-Shown";
const SECONDARY = "secondary-Secret-Never-Shown";

async function verify(args: string[], options: Parameters<typeof memoryIo>[0] = {}) {
  const io = memoryIo(options);
  const code = await run(["webhooks", "verify", "--body", bodyFile, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe("glp webhooks verify", () => {
  it("says which header and which secret matched, and lists the events without control characters", async () => {
    const result = await verify(["--header", `HPE-Webhook-Signature: ${sig(SECONDARY)}`, "--secret-stdin"], { stdin: `${PRIMARY}\n${SECONDARY}\n` });
    expect(result.code).toBe(0);
    expect(result.out).toContain("verified: HPE-Webhook-Signature matches the secondary secret");
    expect(result.out).toContain("event evt-1\\x1b[31m: com.hpe.greenlake.devices.v1.devices.created");
    expect(result.out).not.toContain("\u001b");
  });

  it("says why none matched, with exit code 1 and no secret in any output", async () => {
    const result = await verify(["--header", `HPE-Webhook-Signature: ${sig("another")}`, "--secret-env", "HOOK_SECRET"], { env: { HOME: dir, HOOK_SECRET: PRIMARY } });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/not verified \(bad-signature\).*raw bytes/);
    expect(result.out + result.err).not.toContain(PRIMARY);
  });

  it("reads the secret source a profile names", async () => {
    const config = join(dir, "config");
    mkdirSync(join(config, "glp"), { recursive: true, mode: 0o700 });
    const file = join(config, "glp", "profiles.json");
    writeFileSync(file, JSON.stringify({ profiles: { hooks: { clientId: "c", secret: { env: "X" }, webhookSecret: { env: "HOOK_SECRET" } } } }));
    chmodSync(file, 0o600);
    const result = await verify(["--header", `hpe-webhook-signature2: ${sig(PRIMARY)}`, "--profile", "hooks"], { env: { HOME: dir, XDG_CONFIG_HOME: config, HOOK_SECRET: PRIMARY } });
    expect(result.code).toBe(0);
    expect(result.out).toContain("hpe-webhook-signature2 matches the secret");
  });

  it("refuses a command line without a secret source or a signature header", async () => {
    expect((await verify(["--header", `HPE-Webhook-Signature: ${sig(PRIMARY)}`])).code).toBe(2);
    const noHeader = await verify(["--secret-stdin"], { stdin: PRIMARY });
    expect(noHeader.code).toBe(2);
    expect(noHeader.err).toMatch(/HPE-Webhook-Signature/);
    // There is no option that takes the secret itself.
    const inArgv = await verify(["--header", `HPE-Webhook-Signature: ${sig(PRIMARY)}`, "--secret", PRIMARY]);
    expect(inArgv.code).toBe(2);
    expect(inArgv.err).not.toContain(PRIMARY);
  });
});

/**
 * `glp webhooks verify --body` reads at most a bounded number of bytes: a
 * careless `--body /dev/zero` (or a huge file) is refused with a usage error
 * instead of filling memory. GreenLake's deliveries are small (the receiver's
 * default limit is 1 MiB).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { memoryIo } from "./support/cli-io.js";

describe("glp webhooks verify --body of unbounded size", () => {
  it("refuses a body file larger than the limit, naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "glp-webhooks-big-"));
    const file = join(dir, "huge.json");
    writeFileSync(file, Buffer.alloc(16 * 1024 * 1024 + 1, 0x20));
    const io = memoryIo({ stdin: "secret\n" });
    const code = await run(["webhooks", "verify", "--body", file, "--header", "HPE-Webhook-Signature: sha256=00", "--secret-stdin"], io);
    expect(code).toBe(2);
    expect(io.err()).toMatch(/larger than 16777216 bytes/);
  });

  it("refuses an endless device such as /dev/zero", async () => {
    const io = memoryIo({ stdin: "secret\n" });
    const code = await run(["webhooks", "verify", "--body", "/dev/zero", "--header", "HPE-Webhook-Signature: sha256=00", "--secret-stdin"], io);
    expect(code).toBe(2);
    expect(io.err()).toMatch(/larger than/);
  });
});

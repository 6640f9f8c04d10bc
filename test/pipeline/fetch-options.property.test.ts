/**
 * `--retry-delay-ms` of specs:fetch and specs:update: a whole number of milliseconds up to the cap is
 * the first wait between download attempts; anything else is refused before anything is fetched, with
 * a line naming the option and the value as given (escaped).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fetchOptionsFromArgs, MAX_RETRY_DELAY_MS } from "../../scripts/lib/cli-options.js";

const read = (value: string) => fetchOptionsFromArgs([`--retry-delay-ms=${value}`], {});

describe("--retry-delay-ms", () => {
  it("takes 0 to the cap as the first wait, and leaves the default alone when absent", async () => {
    expect((await read("0")).retryDelayMs).toBe(0);
    expect((await read("250")).retryDelayMs).toBe(250);
    expect((await read(String(MAX_RETRY_DELAY_MS))).retryDelayMs).toBe(MAX_RETRY_DELAY_MS);
    expect(await fetchOptionsFromArgs([], {})).not.toHaveProperty("retryDelayMs");
  });

  it.each(["", "-1", "1.5", "1e3", "0x10", " 5", "Infinity", "NaN", String(MAX_RETRY_DELAY_MS + 1), "99999999999999999999"])("refuses %j, naming the option and the value", async (value) => {
    await expect(read(value)).rejects.toThrow(`--retry-delay-ms must be a whole number of milliseconds from 0 to ${MAX_RETRY_DELAY_MS}, not ${JSON.stringify(value)}`);
  });

  it("shows DEL and C1 controls escaped, not raw (an 8-bit CSI moves a terminal's cursor as ESC [ does)", async () => {
    await expect(read("\u009b2J\u007f")).rejects.toThrow('not "\\u009b2J\\u007f"');
  });

  it("accepts exactly the whole numbers up to the cap, and never echoes a control character", async () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: 2 * MAX_RETRY_DELAY_MS }).map(String),
      fc.integer({ min: -1000, max: -1 }).map(String),
      fc.double().map(String),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: fc.constantFrom("0", "1", "9", "\u001b", "\n", "\r", "\u0007", "\u007f", "\u009b", "\u0085", " ", "-", ".", "[", "e"), maxLength: 12 }),
      fc.string({ unit: fc.integer({ min: 0, max: 0x2fff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const whole = /^\d+$/.test(v) && Number(v) <= MAX_RETRY_DELAY_MS;
        const outcome = await read(v).then(
          (options) => ({ ok: true as const, ms: options.retryDelayMs }),
          (error: unknown) => ({ ok: false as const, message: (error as Error).message }),
        );
        if (whole) expect(outcome).toEqual({ ok: true, ms: Number(v) });
        else {
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expect(outcome.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

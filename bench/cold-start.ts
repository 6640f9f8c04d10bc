/**
 * A whole process making one authenticated call: node starts, loads the
 * client, gets a token with client credentials from the stub's issuer and
 * makes one GET; against a module making the same two requests with plain
 * fetch. Wall time from spawn to exit, the two kinds interleaved. With
 * BENCH_BASELINE set (bench/baseline.ts), the baseline's SDK runs in the same
 * rounds as a third kind.
 */
import { baseline } from "./baseline.js";
import { median, repeat, type Figure, type Metric } from "./figure.js";
import { PAGE_PATH } from "./payload.js";
import { moduleFile, timedNode } from "./processes.js";

const PAIRS = 8;

const PLAIN = `const [baseUrl, tokenUrl] = process.argv.slice(2);
const body = new URLSearchParams({ grant_type: "client_credentials", client_id: "bench-client", client_secret: "bench-secret" });
const issued = await fetch(tokenUrl, { method: "POST", body, headers: { accept: "application/json" } });
const { access_token } = await issued.json();
const answer = await fetch(baseUrl + "${PAGE_PATH}?limit=100", { headers: { authorization: "Bearer " + access_token, accept: "application/json" } });
if (!answer.ok) throw new Error("HTTP " + answer.status);
await answer.json();
`;

const SDK = `import { GreenLake } from "greenlake-sdk";
const [baseUrl, tokenUrl] = process.argv.slice(2);
const gl = new GreenLake({ clientId: "bench-client", clientSecret: "bench-secret", workspaceId: "0123456789abcdef0123456789abcdef", tokenUrl, baseUrl });
const { error } = await gl.computeOpsMgmt.GET("${PAGE_PATH}", { params: { query: { limit: 100 } } });
if (error !== undefined) throw new Error("call failed");
`;

export const coldStart: Figure = {
  name: "cold-start",
  async run({ stub, runs, progress }) {
    const plain = moduleFile("cold-plain-fetch.mjs", PLAIN);
    const sdk = moduleFile("cold-sdk.mjs", SDK);
    const baselineDir = baseline();
    const old = baselineDir ? moduleFile("cold-sdk.mjs", SDK, baselineDir) : undefined;
    const args = [stub.baseUrl, stub.tokenUrl];
    await timedNode(plain, args);
    await timedNode(sdk, args);
    if (old) await timedNode(old, args);
    const values = await repeat(runs, async (run) => {
      progress(`cold start, run ${run + 1} of ${runs}`);
      const p: number[] = [];
      const s: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < PAIRS; i++) {
        // Rotate which goes first, so none always follows another's cache effects.
        const kinds = [async () => p.push((await timedNode(plain, args)).ms), async () => s.push((await timedNode(sdk, args)).ms)];
        if (old) kinds.push(async () => b.push((await timedNode(old, args)).ms));
        for (let k = 0; k < kinds.length; k++) await kinds[(i + k) % kinds.length]!();
      }
      const out: Record<string, number> = { ratio: median(s) / median(p), sdk_ms: median(s), plain_ms: median(p) };
      if (old) Object.assign(out, { baseline_ratio: median(b) / median(p), baseline_ms: median(b) });
      return out;
    });
    const metrics: Metric[] = [
      { name: "cold start: greenlake-sdk / plain fetch", unit: "ratio", runs: values.ratio!, target: { op: "<=", value: 1.15 }, about: "node process: token + one GET" },
      { name: "cold start greenlake-sdk", unit: "ms", runs: values.sdk_ms! },
      { name: "cold start plain fetch", unit: "ms", runs: values.plain_ms! },
    ];
    if (old) {
      metrics.push(
        { name: "cold start: greenlake-sdk (baseline) / plain fetch", unit: "ratio", runs: values.baseline_ratio!, about: `baseline: ${process.env.BENCH_BASELINE}` },
        { name: "cold start greenlake-sdk (baseline)", unit: "ms", runs: values.baseline_ms! },
      );
    }
    return { metrics, details: { pairs_per_run: PAIRS } };
  },
};

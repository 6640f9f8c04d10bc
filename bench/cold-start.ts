/**
 * A whole process making one authenticated call: node starts, loads the
 * client, gets a token with client credentials from the stub's issuer and
 * makes one GET; against a module making the same two requests with plain
 * fetch. Wall time from spawn to exit, the kinds interleaved. A third kind
 * is the floor any client built on the SDK's dependencies pays: the plain
 * fetch module after loading undici and simple-oauth2's client-credentials
 * grant, the modules the SDK loads for its first call. With BENCH_BASELINE
 * set (bench/baseline.ts), the baseline's SDK runs in the same rounds too.
 */
import { baseline } from "./baseline.js";
import { median, repeat, type Figure, type Metric } from "./figure.js";
import { PAGE_PATH } from "./payload.js";
import { moduleFile, timedNode } from "./processes.js";

const PAIRS = 8;

// The process's CPU time (all threads, from its start): on a busy machine wall time mostly measures waiting for a core.
const CPU = "const cpu = process.cpuUsage();\nprocess.stdout.write(String((cpu.user + cpu.system) / 1000));\n";

const PLAIN = `const [baseUrl, tokenUrl] = process.argv.slice(2);
const body = new URLSearchParams({ grant_type: "client_credentials", client_id: "bench-client", client_secret: "bench-secret" });
const issued = await fetch(tokenUrl, { method: "POST", body, headers: { accept: "application/json" } });
const { access_token } = await issued.json();
const answer = await fetch(baseUrl + "${PAGE_PATH}?limit=100", { headers: { authorization: "Bearer " + access_token, accept: "application/json" } });
if (!answer.ok) throw new Error("HTTP " + answer.status);
await answer.json();
${CPU}`;

// The modules src/internal/http.ts and src/internal/oauth-client.ts load for the first call.
const DEPENDENCIES = `await Promise.all([import("undici"), import("simple-oauth2/lib/client/index.js"), import("simple-oauth2/lib/client-credentials-grant-type.js")]);\n`;

const SDK = `import { GreenLake } from "greenlake-sdk";
const [baseUrl, tokenUrl] = process.argv.slice(2);
const gl = new GreenLake({ clientId: "bench-client", clientSecret: "bench-secret", workspaceId: "0123456789abcdef0123456789abcdef", tokenUrl, baseUrl });
const { error } = await gl.computeOpsMgmt.GET("${PAGE_PATH}", { params: { query: { limit: 100 } } });
if (error !== undefined) throw new Error("call failed");
${CPU}`;

export const coldStart: Figure = {
  name: "cold-start",
  async run({ stub, runs, progress }) {
    const plain = moduleFile("cold-plain-fetch.mjs", PLAIN);
    const sdk = moduleFile("cold-sdk.mjs", SDK);
    const floor = moduleFile("cold-dependencies-fetch.mjs", DEPENDENCIES + PLAIN);
    const baselineDir = baseline();
    const old = baselineDir ? moduleFile("cold-sdk.mjs", SDK, baselineDir) : undefined;
    const args = [stub.baseUrl, stub.tokenUrl];
    await timedNode(plain, args);
    await timedNode(sdk, args);
    await timedNode(floor, args);
    if (old) await timedNode(old, args);
    const values = await repeat(runs, async (run) => {
      progress(`cold start, run ${run + 1} of ${runs}`);
      const kind = () => ({ wall: [] as number[], cpu: [] as number[] });
      const samples = { plain: kind(), sdk: kind(), floor: kind(), old: kind() };
      const time = async (file: string, into: { wall: number[]; cpu: number[] }) => {
        const { ms, stdout } = await timedNode(file, args);
        into.wall.push(ms);
        into.cpu.push(Number(stdout));
      };
      for (let i = 0; i < PAIRS; i++) {
        // Rotate which goes first, so none always follows another's cache effects.
        const kinds = [() => time(plain, samples.plain), () => time(sdk, samples.sdk), () => time(floor, samples.floor)];
        if (old) kinds.push(() => time(old, samples.old));
        for (let k = 0; k < kinds.length; k++) await kinds[(i + k) % kinds.length]!();
      }
      const { plain: p, sdk: s, floor: f, old: b } = samples;
      const out: Record<string, number> = {
        ratio: median(s.wall) / median(p.wall),
        cpu_ratio: median(s.cpu) / median(p.cpu),
        sdk_ms: median(s.wall),
        plain_ms: median(p.wall),
        sdk_cpu_ms: median(s.cpu),
        plain_cpu_ms: median(p.cpu),
        floor_ratio: median(f.wall) / median(p.wall),
        sdk_over_floor: median(s.wall) / median(f.wall),
        floor_ms: median(f.wall),
      };
      if (old) Object.assign(out, { baseline_ratio: median(b.wall) / median(p.wall), baseline_cpu_ratio: median(b.cpu) / median(p.cpu), baseline_ms: median(b.wall), baseline_cpu_ms: median(b.cpu) });
      return out;
    });
    const metrics: Metric[] = [
      { name: "cold start: greenlake-sdk / plain fetch", unit: "ratio", runs: values.ratio!, target: { op: "<=", value: 1.15 }, about: "node process: token + one GET" },
      { name: "cold start: greenlake-sdk / plain fetch, CPU time", unit: "ratio", runs: values.cpu_ratio!, about: "the processes' CPU time (all threads)" },
      {
        name: "cold start: dependencies loaded + plain fetch / plain fetch",
        unit: "ratio",
        runs: values.floor_ratio!,
        about: "the floor: plain fetch after loading undici and simple-oauth2's grant, as the SDK must",
      },
      { name: "cold start: greenlake-sdk / (dependencies loaded + plain fetch)", unit: "ratio", runs: values.sdk_over_floor!, about: "what the SDK adds over its dependencies" },
      { name: "cold start greenlake-sdk", unit: "ms", runs: values.sdk_ms! },
      { name: "cold start dependencies loaded + plain fetch", unit: "ms", runs: values.floor_ms! },
      { name: "cold start plain fetch", unit: "ms", runs: values.plain_ms! },
      { name: "cold start greenlake-sdk, CPU time", unit: "ms", runs: values.sdk_cpu_ms! },
      { name: "cold start plain fetch, CPU time", unit: "ms", runs: values.plain_cpu_ms! },
    ];
    if (old) {
      metrics.push(
        { name: "cold start: greenlake-sdk (baseline) / plain fetch", unit: "ratio", runs: values.baseline_ratio!, about: `baseline: ${process.env.BENCH_BASELINE}` },
        { name: "cold start: greenlake-sdk (baseline) / plain fetch, CPU time", unit: "ratio", runs: values.baseline_cpu_ratio! },
        { name: "cold start greenlake-sdk (baseline)", unit: "ms", runs: values.baseline_ms! },
        { name: "cold start greenlake-sdk (baseline), CPU time", unit: "ms", runs: values.baseline_cpu_ms! },
      );
    }
    return { metrics, details: { pairs_per_run: PAIRS } };
  },
};

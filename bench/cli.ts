/**
 * glp as whole processes, from the built package: a cold `glp --version`,
 * and `glp identity get-users` with its token already cached, beside `curl`
 * making the same request with the same token, against a loopback stub.
 * Each figure is run several times, interleaved; min/median/max are reported.
 *
 * Run alone: `npx tsx bench/cli.ts` (after `npx tsx scripts/build.ts`); `npm run bench` runs it too.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { repoRoot } from "../scripts/package-layout.js";

const run = promisify(execFile);
const RUNS = 7;
const WORKSPACE = "0123456789abcdef0123456789abcdef";
const USERS = { items: Array.from({ length: 10 }, (_, i) => ({ id: `user-${i}`, username: `user${i}@example.com`, userStatus: "VERIFIED" })), count: 10, offset: 0, total: 10 };

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface CliBenchResult {
  readonly runs: number;
  readonly version_ms: Spread;
  readonly get_users_cached_token_ms: Spread;
  readonly curl_get_users_ms: Spread;
  /** A bare `node` process doing the same request with fetch: the floor for any Node.js command line. */
  readonly node_fetch_get_users_ms: Spread;
  /** Median glp time over median curl time. */
  readonly get_users_vs_curl: number;
  readonly token_requests: number;
}

function spread(samples: number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Number(n.toFixed(1));
  return { min: round(sorted[0]!), median: round(sorted[Math.floor(sorted.length / 2)]!), max: round(sorted.at(-1)!) };
}

async function timed(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  await run(file, args, { env });
  return performance.now() - started;
}

export async function measureCli(): Promise<CliBenchResult> {
  const main = join(repoRoot, "dist/esm/src/cli/main.js");
  if (!existsSync(main)) throw new Error("bench/cli: dist/ has no glp; run npx tsx scripts/build.ts first");
  let tokenRequests = 0;
  const server = createServer((req, res) => {
    if (req.method === "POST" && req.url?.endsWith("/token")) {
      tokenRequests++;
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ access_token: "bench-cli-token", token_type: "Bearer", expires_in: 3600 }));
    }
    res.writeHead(req.url?.startsWith("/identity/v1/users") ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(USERS));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const home = mkdtempSync(join(tmpdir(), "glp-bench-"));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    GREENLAKE_CLIENT_ID: "bench-cli-client",
    GREENLAKE_CLIENT_SECRET: "bench-cli-secret",
    GREENLAKE_WORKSPACE_ID: WORKSPACE,
    GREENLAKE_TOKEN_URL: `${base}/authorization/v2/oauth2/${WORKSPACE}/token`,
    GREENLAKE_BASE_URL: base,
  };
  try {
    const node = process.execPath;
    const getUsers = [main, "identity", "get-users", "-o", "json"];
    // Warm-up: fills the token cache and the OS file cache.
    await run(node, getUsers, { env });
    await run(node, [main, "--version"], { env });
    const token = (JSON.parse(readFileSync(join(home, "cache/glp/tokens", readdirSync(join(home, "cache/glp/tokens")).find((f) => f.endsWith(".json"))!), "utf8")) as { accessToken: string }).accessToken;
    const curl = ["-s", "-f", "-o", "/dev/null", "-H", `Authorization: Bearer ${token}`, "-H", "Accept: application/json", `${base}/identity/v1/users`];
    const nodeFetch = ["-e", `fetch(${JSON.stringify(`${base}/identity/v1/users`)}, { headers: { authorization: "Bearer " + ${JSON.stringify(token)} } }).then((r) => r.json()).then((j) => process.stdout.write(JSON.stringify(j.items)))`];
    const samples = { version: [] as number[], users: [] as number[], curl: [] as number[], nodeFetch: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      samples.version.push(await timed(node, [main, "--version"], env));
      samples.users.push(await timed(node, getUsers, env));
      samples.curl.push(await timed("curl", curl, env));
      samples.nodeFetch.push(await timed(node, nodeFetch, env));
    }
    const users = spread(samples.users);
    const curlSpread = spread(samples.curl);
    return {
      runs: RUNS,
      version_ms: spread(samples.version),
      get_users_cached_token_ms: users,
      curl_get_users_ms: curlSpread,
      node_fetch_get_users_ms: spread(samples.nodeFetch),
      get_users_vs_curl: Number((users.median / curlSpread.median).toFixed(1)),
      token_requests: tokenRequests,
    };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  }
}

/** Prints the figures and writes bench/cli-results.json. */
export async function runCliBench(): Promise<CliBenchResult> {
  process.stderr.write("bench: glp processes (cold --version, cached-token get-users, curl)...\n");
  const r = await measureCli();
  const row = (label: string, s: Spread) => `${label.padEnd(34)}${String(s.min).padStart(8)}${String(s.median).padStart(8)}${String(s.max).padStart(8)}`;
  console.log(`\nglp as a process, ${r.runs} runs each (ms)   min  median     max`);
  console.log(row("glp --version (cold)", r.version_ms));
  console.log(row("glp identity get-users (cached)", r.get_users_cached_token_ms));
  console.log(row("curl, same request and token", r.curl_get_users_ms));
  console.log(row("node -e fetch(...), same request", r.node_fetch_get_users_ms));
  console.log(`glp / curl (medians): ${r.get_users_vs_curl}; token requests: ${r.token_requests}`);
  writeFileSync(join(repoRoot, "bench/cli-results.json"), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...r }, null, 2)}\n`);
  return r;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runCliBench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

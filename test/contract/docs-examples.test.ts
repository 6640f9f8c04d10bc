/**
 * The examples in README.md and docs/ marked ```ts runnable run as written
 * against the mocks. Each block becomes a module: its imports of
 * `greenlake-sdk` resolve to the SDK with one change (a `GreenLake` built
 * without a baseUrl talks to the mocks, with the mocks' credentials), and the
 * rest of the block runs with `gl`, a client of the mocks, in scope (a block
 * may declare its own).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GreenLake } from "../../src/index.js";
import { type Mocks } from "../../src/testing/index.js";
import { startSharedMocks } from "./support/shared-prism.js";
import { projectRoot } from "../../scripts/lib/paths.js";

const FILES = ["README.md", "docs/runtime.md", "docs/testing.md", "docs/cli.md"];

interface Block {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

/** Fenced blocks whose info string is `ts runnable`, with the line they start on. */
export function runnableBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```ts runnable") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== "```") end++;
    blocks.push({ file, line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

const blocks = FILES.flatMap((file) => runnableBlocks(file, readFileSync(join(projectRoot, file), "utf8")));
// Inside the project (so the SDK's own sources resolve), in the git-ignored .tmp/.
mkdirSync(join(projectRoot, ".tmp"), { recursive: true });
const dir = mkdtempSync(join(projectRoot, ".tmp", "docs-examples-"));
let mocks: Mocks;

beforeAll(async () => {
  mocks = await startSharedMocks({ services: ["compute-ops-mgmt", "identity", "device-management", "workspace"], async: { durationMs: 200 } });
  (globalThis as { __greenlakeDocsMocks?: object }).__greenlakeDocsMocks = mocks.clientOptions();
  const sdk = relative(dir, join(projectRoot, "src", "index.js")).replaceAll("\\", "/");
  writeFileSync(
    join(dir, "sdk.ts"),
    [
      `export * from "${sdk}";`,
      `import { GreenLake as Base, type GreenLakeOptions } from "${sdk}";`,
      "const mocks = () => (globalThis as { __greenlakeDocsMocks?: GreenLakeOptions }).__greenlakeDocsMocks ?? {};",
      "/** The SDK's client, pointed at the mocks when the example names no baseUrl. */",
      "export class GreenLake extends Base {",
      "  constructor(options: GreenLakeOptions = {}) {",
      "    super(options.baseUrl === undefined ? { ...options, ...mocks(), region: options.region } : options);",
      "  }",
      "}",
      "",
    ].join("\n"),
  );
}, 120_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await mocks?.stop();
});

function moduleOf(block: Block, index: number): string {
  const imports: string[] = [];
  const body: string[] = [];
  for (const line of block.code.split("\n")) {
    if (/^import\s/.test(line)) imports.push(line.replace(/from\s+"greenlake-sdk(\/[^"]*)?"/, (_, sub: string | undefined) => (sub === undefined ? 'from "./sdk.js"' : `from "${relative(dir, join(projectRoot, "generated", "entries", `${sub.slice(1)}.js`)).replaceAll("\\", "/")}"`)));
    else body.push(line);
  }
  const file = join(dir, `block-${index}.ts`);
  writeFileSync(file, [...imports, 'import type { GreenLake as Client } from "./sdk.js";', "export default async function run(gl: Client): Promise<void> {", "{", ...body, "}", "}", ""].join("\n"));
  return file;
}

describe("runnable examples in the README and docs", () => {
  it("exist: the README's first example, the MSP example, filters, and the device and async examples", () => {
    expect(blocks.map((b) => b.file)).toEqual(expect.arrayContaining(["README.md", "docs/runtime.md"]));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  blocks.forEach((block, index) => {
    it(`${block.file}:${block.line} runs as written`, { timeout: 60_000 }, async () => {
      const file = moduleOf(block, index);
      const quiet = vi.spyOn(console, "log").mockImplementation(() => {});
      try {
        const loaded = (await import(pathToFileURL(file).href)) as { default: (gl: GreenLake) => Promise<void> };
        await loaded.default(new GreenLake({ ...mocks.clientOptions(), region: "us-west", throwOnError: true }));
      } finally {
        quiet.mockRestore();
      }
    });
  });
});

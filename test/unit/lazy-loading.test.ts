// Loading the package costs little: each service's operations are parsed when the service is first
// used, and Redis and OAuth libraries load only once configured or needed.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../generated/services/index.js";
import { constType } from "../../scripts/lib/render.js";
import { encodeOperations } from "../../src/internal/operations-codec.js";
import { withLazyOperations, type OperationMetadata, type ServiceMetadata } from "../../src/metadata.js";

// Hostile text: quotes, backslashes, line separators, comment closers, lone surrogates.
const text = fc.oneof(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.constantFrom("*/", '"', "\\", "\u2028", "${x}", "readonly [", "\ud800"));

const operation: fc.Arbitrary<OperationMetadata> = fc.record(
  {
    method: fc.constantFrom("get", "put", "post", "delete", "patch", "head", "options"),
    path: text,
    operationId: text,
    deprecated: fc.boolean(),
    document: text,
    commaJoinedQuery: fc.array(text, { maxLength: 3 }),
    requestMediaTypes: fc.array(text, { maxLength: 3 }),
    idempotencyKey: fc.constant(true as const),
  },
  { requiredKeys: ["method", "path", "operationId", "deprecated", "document"] },
);

const metadata: fc.Arbitrary<ServiceMetadata> = fc.record({
  service: text,
  documents: fc.array(text, { maxLength: 3 }),
  servers: fc.dictionary(text, text, { maxKeys: 4 }),
  operations: fc.array(operation, { maxLength: 8 }),
});

describe("lazily parsed operations", () => {
  it("read as the metadata they were written from, the same array on every read", () => {
    fc.assert(
      fc.property(metadata, (m) => {
        const { operations, ...head } = m;
        const lazy = withLazyOperations<ServiceMetadata>(head, encodeOperations(operations));
        expect(lazy).toEqual(m);
        expect(JSON.stringify(lazy)).toBe(JSON.stringify(m));
        expect(Object.keys(lazy)).toEqual(Object.keys(m));
        expect(lazy.operations).toBe(lazy.operations);
      }),
      { numRuns: 200 },
    );
  });

  it("every generated service reads as plain JSON data", () => {
    for (const key of serviceKeys) {
      const m = serviceMetadata[key] as ServiceMetadata;
      expect(m.service).toBe(key);
      expect(m.operations.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(m))).toEqual({ service: m.service, documents: m.documents, servers: m.servers, operations: m.operations });
    }
  });
});

describe("the generated metadata type", () => {
  it("is the type TypeScript infers for the value written `as const` (both ways assignable)", () => {
    const values = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 60, seed: 19 }).concat([[], {}, [[]], { a: [] }, "*/", -0, 1e21]);
    const lines = values.flatMap((v, i) => [
      // Inside a tuple, as in the metadata: `as const` takes no bare null or negative number.
      `type T${i} = ${constType([v], "")};`,
      `const v${i} = ${JSON.stringify([v])} as const;`,
      `export const a${i}: T${i} = v${i};`,
      `export const b${i}: typeof v${i} = null as unknown as T${i};`,
    ]);
    const source = lines.join("\n");
    const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts"], types: [] };
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language) => (name === "case.ts" ? ts.createSourceFile(name, source, language) : read(name, language));
    const program = ts.createProgram(["case.ts"], options, host);
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(errors).toEqual([]);
  }, 60_000);
});

/** Runs a module in a fresh node (sources through tsx) and returns what it printed. */
function runChild(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: process.cwd(), encoding: "utf8", timeout: 60_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

const LOADED = `
  const { createRequire } = await import("node:module");
  const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => /node_modules[\\\\/](ioredis|simple-oauth2)[\\\\/]/.test(f)).map((f) => f.match(/node_modules[\\\\/]([^\\\\/]+)/)[1]);
`;

describe("what loading the package loads", () => {
  it("parses no service's operations until that service is used, then only its own", async () => {
    const out = await runChild(`
      let parsed = 0;
      const parse = JSON.parse;
      // An operations table's compact text (src/internal/operations-codec.ts) is the only JSON that starts with "[[".
      JSON.parse = (t, r) => { if (typeof t === "string" && t.startsWith("[[")) parsed++; return parse(t, r); };
      const { GreenLake } = await import("./src/index.ts");
      const gl = new GreenLake({ token: "t", workspaceId: "0123456789abcdef0123456789abcdef", env: {} });
      const before = parsed;
      const servers = gl.tags.metadata.servers;
      const afterClient = parsed;
      gl.tags.metadata.operations; gl.tags.metadata.operations;
      process.stdout.write(JSON.stringify({ before, afterClient, after: parsed, servers: Object.keys(servers).length > 0 }));
    `);
    expect(JSON.parse(out)).toEqual({ before: 0, afterClient: 1, after: 1, servers: true });
  }, 60_000);

  it("loads neither ioredis nor simple-oauth2 at import or construction; the check sees them once loaded", async () => {
    const out = await runChild(`
      ${LOADED}
      const { GreenLake } = await import("./src/index.ts");
      const gl = new GreenLake({ clientId: "c", clientSecret: "s", workspaceId: "0123456789abcdef0123456789abcdef", env: {} });
      gl.computeOpsMgmt; gl.identity;
      const quiet = loaded();
      await import("simple-oauth2");
      process.stdout.write(JSON.stringify({ quiet, control: loaded() }));
    `);
    const { quiet, control } = JSON.parse(out) as { quiet: string[]; control: string[] };
    expect(quiet).toEqual([]);
    expect(control).toContain("simple-oauth2");
  }, 60_000);
});

/**
 * Runs `script` in a plain node (no tsx, which loads node:crypto itself) against the root entry bundled as the
 * package publishes it, from a folder inside the checkout so its dependencies resolve; returns what it printed.
 */
async function runAgainstBundle(script: string): Promise<string> {
  mkdirSync(".tmp", { recursive: true });
  const dir = mkdtempSync(join(process.cwd(), ".tmp", "lazy-loading-"));
  try {
    await build({ entryPoints: ["src/index.ts"], outfile: join(dir, "index.js"), bundle: true, format: "esm", platform: "node", target: "node20", packages: "external", logLevel: "error" });
    writeFileSync(join(dir, "probe.mjs"), script);
    return await new Promise((resolve, reject) => {
      execFile(process.execPath, [join(dir, "probe.mjs")], { cwd: dir, encoding: "utf8", timeout: 60_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Packages in require's cache and node's own crypto modules, as a probe sees them.
const LOADED_ANYTHING = `
  const { createRequire } = await import("node:module");
  const loaded = () => [
    ...new Set(Object.keys(createRequire(import.meta.url).cache).map((f) => f.match(/node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/)?.[1]).filter(Boolean)),
    ...process.moduleLoadList.filter((m) => /^NativeModule (internal[/])?crypto($|[/])/.test(m)).map(() => "node:crypto").slice(0, 1),
  ].sort();
`;

describe("what the published root loads", () => {
  it("loads no HTTP, OAuth, Redis or crypto module at import, none of the first three when a client and its services are made; a call loads undici", async () => {
    const out = await runAgainstBundle(`
      ${LOADED_ANYTHING}
      const { GreenLake } = await import("./index.js");
      const atImport = loaded();
      const gl = new GreenLake({ clientId: "c", clientSecret: "s", workspaceId: "0123456789abcdef0123456789abcdef", env: {} });
      gl.computeOpsMgmt; gl.identity; gl.workspace.metadata.operations;
      const atConstruction = loaded();
      // A call with a token given, to a port nothing listens on: it loads what sending needs, and fails.
      const direct = new GreenLake({ token: "t", baseUrl: "http://127.0.0.1:9", retry: false, env: {} });
      await direct.tags.GET("/tags/v1/tags").catch(() => undefined);
      process.stdout.write(JSON.stringify({ atImport, atConstruction, afterCall: loaded() }));
    `);
    const { atImport, atConstruction, afterCall } = JSON.parse(out) as { atImport: string[]; atConstruction: string[]; afterCall: string[] };
    expect(atImport).toEqual([]);
    // Making a service client touches the platform's Headers, whose own code loads node:crypto: no check for it here.
    expect(atConstruction.filter((m) => m !== "node:crypto")).toEqual([]);
    // The control: the same check sees what a call loads.
    expect(afterCall).toContain("undici");
  }, 60_000);

  it("sees node:crypto once something loads it (the check works)", async () => {
    const out = await runAgainstBundle(`
      ${LOADED_ANYTHING}
      await import("./index.js");
      const before = loaded();
      await import("node:crypto");
      process.stdout.write(JSON.stringify({ before, after: loaded() }));
    `);
    expect(JSON.parse(out)).toEqual({ before: [], after: ["node:crypto"] });
  }, 60_000);
});

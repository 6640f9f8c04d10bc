/** Small constructed documents, temp dirs and script runners for the pipeline tests. */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { createServer, type RequestListener, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, expect } from "vitest";
import { fetchDocuments } from "../../src/specs/fetch-documents.js";
import { documentHash } from "../../src/specs/canonical.js";
import type { DocumentSource, Manifest } from "../../src/specs/manifest.js";
import { serializeManifest } from "../../src/specs/manifest.js";
import type { OpenApiDocument } from "../../src/specs/openapi.js";
import { projectRoot } from "../../scripts/lib/paths.js";
import { bundled } from "../support/bundled.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "greenlake-pipeline-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A loopback HTTP server stopped after the test; returns its base URL. */
export async function serve(handler: RequestListener): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A small GreenLake-shaped document: offset list, cursor list, plain operations. */
export function widgetsDocument(): OpenApiDocument {
  return {
    openapi: "3.1.0",
    info: { title: "Widgets", version: "1.0.0" },
    servers: [{ url: "https://us-west.api.greenlake.hpe.com" }, { url: "https://eu1.data.cloud.hpe.com" }],
    paths: {
      "/widgets/v1/widgets": {
        parameters: [{ $ref: "#/components/parameters/Limit" }],
        get: {
          operationId: "listWidgets",
          parameters: [
            { name: "offset", in: "query", schema: { type: "integer" } },
            { name: "filter", in: "query", schema: { type: "string" } },
          ],
          responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/WidgetList" } } } } },
        },
        post: {
          operationId: "createWidget",
          requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/WidgetCreate" } } } },
          responses: { "201": { description: "created", content: { "application/json": { schema: { $ref: "#/components/schemas/Widget" } } } } },
        },
      },
      "/widgets/v1/widgets/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        get: {
          operationId: "getWidget",
          responses: { "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Widget" } } } } },
        },
        delete: { operationId: "deleteWidget", responses: { "204": { description: "gone" } } },
      },
      "/widgets/v1/events": {
        get: {
          operationId: "listEvents",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", maximum: 200 } },
            { name: "next", in: "query", schema: { type: "string" } },
          ],
          responses: {
            "200": {
              description: "ok",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: { items: { type: "array", items: { type: "object", properties: { id: { type: "string" } } } }, next: { type: "string" }, count: { type: "integer" } },
                  },
                },
              },
            },
          },
        },
      },
    },
    components: {
      parameters: { Limit: { name: "limit", in: "query", schema: { type: "integer", maximum: 50 } } },
      schemas: {
        Collection: { type: "object", properties: { count: { type: "integer" }, offset: { type: "integer" }, total: { type: "integer" } } },
        WidgetList: { allOf: [{ $ref: "#/components/schemas/Collection" }, { type: "object", properties: { items: { type: "array", items: { $ref: "#/components/schemas/Widget" } } } }] },
        Widget: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string" }, name: { type: "string" }, color: { type: "string", enum: ["red", "green"] }, size: { type: "integer" } },
        },
        WidgetCreate: { type: "object", required: ["name"], properties: { name: { type: "string" }, color: { type: "string", enum: ["red", "green", "blue"] } } },
      },
    },
  };
}

/** A second small document for the same service, to exercise merging. */
export function gadgetsDocument(): OpenApiDocument {
  return {
    openapi: "3.0.3",
    info: { title: "Gadgets", version: "1.0.0" },
    servers: [{ url: "https://us-west.api.greenlake.hpe.com" }],
    paths: {
      "/widgets/v1beta1/gadgets": {
        get: { operationId: "listGadgets", deprecated: true, responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "array", items: { type: "string" } } } } } } },
      },
    },
  };
}

export interface Workspace {
  readonly dir: string;
  readonly mirrorDir: string;
  readonly specsDir: string;
  readonly manifestPath: string;
  readonly manifest: Manifest;
}

/**
 * A temp project: a mirror holding `documents` (formatted differently from how they are pinned),
 * an empty specs dir, and a manifest pinning them.
 */
export async function workspace(documents: Record<string, { service: string; document: unknown }>, baseUrl = "https://example.invalid"): Promise<Workspace> {
  const dir = await tempDir();
  const mirrorDir = join(dir, "mirror");
  const specsDir = join(dir, "specs");
  await mkdir(mirrorDir, { recursive: true });
  await mkdir(specsDir, { recursive: true });
  const sources: DocumentSource[] = [];
  for (const [key, { service, document }] of Object.entries(documents)) {
    await writeFile(join(mirrorDir, `${key}.json`), JSON.stringify(document, null, 4));
    sources.push({ key, service, url: `${baseUrl}/${key}.json`, sha256: documentHash(document) });
  }
  const manifest: Manifest = { documents: sources };
  const manifestPath = join(dir, "sources.json");
  await writeFile(manifestPath, serializeManifest(manifest));
  return { dir, mirrorDir, specsDir, manifestPath, manifest };
}

export interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one of scripts/*.ts the way npm does (from a bundle of it: see test/support/bundled.ts), with extra environment. */
export async function runScript(script: string, args: readonly string[], env: Record<string, string | undefined> = {}, cwd = projectRoot): Promise<ScriptResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  const bundle = await bundled(join("scripts", script));
  return new Promise((resolve) => {
    execFile(process.execPath, [bundle, ...args], { cwd, env: childEnv }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Where HPE's documents are mirrored locally (read by tests, never copied into the project):
 * `GREENLAKE_SPECS_MIRROR` when set, as for `npm run specs:fetch`, else `../shared/greenlake-specs`.
 */
export function mirrorDirFrom(env: NodeJS.ProcessEnv, root = projectRoot): string {
  const configured = env.GREENLAKE_SPECS_MIRROR?.trim();
  return configured ? resolve(root, configured) : join(root, "..", "shared", "greenlake-specs");
}

export const hpeMirrorDir = mirrorDirFrom(process.env);

/** Two services; `widgets` merges two documents. */
export async function fetchedWorkspace(): Promise<Workspace> {
  const ws = await workspace({
    widgets: { service: "widgets", document: widgetsDocument() },
    "widgets-beta": { service: "widgets", document: gadgetsDocument() },
    gadgets: { service: "gadget-store", document: { ...gadgetsDocument(), servers: [{ url: "https://global.api.greenlake.hpe.com" }] } },
  });
  const report = await fetchDocuments({ manifest: ws.manifest, specsDir: ws.specsDir, mirrorDir: ws.mirrorDir });
  expect(report.failures).toEqual([]);
  return ws;
}

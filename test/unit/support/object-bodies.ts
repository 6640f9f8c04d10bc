/**
 * Request bodies the documents declare as objects, checked by the compiler: for each operation with a body, a
 * string, a number, a boolean, an array or null where the document wants an object must not compile, nor a
 * misspelt field, while a body of the right type does. One generated file, compiled once with the project's
 * settings. object-bodies.test.ts compiles one operation of each kind (npm test),
 * object-bodies-every-operation.test.ts every one (npm run test:all).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { afterAll, expect, it } from "vitest";
import { serviceKeys, serviceMetadata, serviceNames } from "../../../generated/services/index.js";
import type { OperationMetadata } from "../../../src/metadata.js";
import { DocumentSchemas, type Schema } from "../../../src/testing/schemas.js";
import { projectRoot } from "../../../scripts/lib/paths.js";

export interface BodyOperation {
  readonly service: string;
  readonly op: OperationMetadata;
  /** The document wants an object (not an array, a string or anything at all). */
  readonly object: boolean;
  /** ...with fields of its own, so a field it does not declare is misspelt. */
  readonly closed: boolean;
  /** The document admits null as well (`type: [object, null]`). */
  readonly nullable: boolean;
}

const documents = new Map<string, DocumentSchemas>();
const schemasOf = (key: string) => {
  let doc = documents.get(key);
  if (doc === undefined) documents.set(key, (doc = DocumentSchemas.load(join(projectRoot, "generated", "openapi", `${key}.json`))));
  return doc;
};

function requestSchema(doc: DocumentSchemas, op: OperationMetadata): Schema | undefined {
  const item = (doc.document.paths as Record<string, Record<string, { requestBody?: unknown }>>)[op.path]?.[op.method];
  const body = doc.deref(item?.requestBody) as { content?: Record<string, { schema?: unknown }> } | undefined;
  const media = op.requestMediaTypes?.[0];
  return media === undefined ? undefined : doc.deref(body?.content?.[media]?.schema);
}

function classify(doc: DocumentSchemas, schema: Schema | undefined): { object: boolean; closed: boolean; nullable: boolean } {
  if (schema === undefined) return { object: false, closed: false, nullable: false };
  const branches = [schema.oneOf, schema.anyOf].find(Array.isArray) as unknown[] | undefined;
  if (branches !== undefined && schema.properties === undefined) {
    const each = branches.map((b) => classify(doc, doc.deref(b)));
    return { object: each.every((c) => c.object), closed: each.every((c) => c.closed), nullable: each.some((c) => c.nullable) };
  }
  const flat = doc.flatten(schema);
  const type = flat.type;
  const object = type === "object" || (Array.isArray(type) && type.includes("object") && !type.includes("array")) || (type === undefined && (flat.properties !== undefined || flat.additionalProperties !== undefined));
  const props = (flat.properties ?? {}) as Record<string, unknown>;
  const open = flat.additionalProperties !== undefined && flat.additionalProperties !== false;
  const nullable = flat.nullable === true || (Array.isArray(type) && type.includes("null"));
  return { object, closed: object && Object.keys(props).length > 0 && !open, nullable };
}

export const bodyOperations: BodyOperation[] = serviceKeys.flatMap((service) =>
  (serviceMetadata[service].operations as readonly OperationMetadata[])
    .filter((op) => op.requestMediaTypes !== undefined)
    .map((op) => ({ service, op, ...classify(schemasOf(op.document), requestSchema(schemasOf(op.document), op)) })),
);

const BAD_BODIES = ['"jane@example.com"', "42", "true", "[]", "null"] as const;
const MISSPELT = "{ nmae: 1 }";

interface Line {
  readonly label: string;
  readonly text: string;
  readonly wantError: boolean;
  readonly misspelt: boolean;
}

function lines(operations: readonly BodyOperation[]): Line[] {
  const out: Line[] = [];
  for (const { service, op, object, closed, nullable } of operations) {
    const call = (body: string) => `void gl.${serviceNames[service as keyof typeof serviceNames]}.${op.method.toUpperCase()}(${JSON.stringify(op.path)} as never as ${JSON.stringify(op.path)}, { params: {} as never, body: ${body} });`;
    const label = `${op.method.toUpperCase()} ${op.path}`;
    if (object) for (const body of BAD_BODIES.filter((b) => !(nullable && b === "null"))) out.push({ label: `${label} body ${body}`, text: call(body), wantError: true, misspelt: false });
    if (closed) out.push({ label: `${label} body ${MISSPELT}`, text: call(MISSPELT), wantError: true, misspelt: true });
    // A body of the right type compiles (the operation is reachable this way at all).
    out.push({ label: `${label} any body`, text: call("{} as never"), wantError: false, misspelt: false });
  }
  return out;
}

/** The test that compiles wrong and right bodies for `operations`; `minimumWrong` guards against a vacuous run. */
export function itRefusesWrongBodies(title: string, operations: readonly BodyOperation[], minimumWrong: number): void {
  // Inside the project (so the SDK's own sources resolve), in the git-ignored .tmp/.
  mkdirSync(join(projectRoot, ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(projectRoot, ".tmp", "object-bodies-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(title, { timeout: 600_000 }, () => {
    const all = lines(operations);
    const header = [`import type { GreenLake } from "${relative(dir, join(projectRoot, "src", "greenlake.js")).replaceAll("\\", "/")}";`, "declare const gl: GreenLake;", "export async function calls(): Promise<void> {"];
    const file = join(dir, "calls.ts");
    writeFileSync(file, [...header, ...all.map((l) => `  ${l.text}`), "}", ""].join("\n"));
    const config = ts.getParsedCommandLineOfConfigFile(join(projectRoot, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram([file], { ...config.options, noEmit: true });
    const source = program.getSourceFile(file)!;
    const byLine = new Map<number, ts.Diagnostic[]>();
    for (const d of program.getSemanticDiagnostics(source)) {
      const line = source.getLineAndCharacterOfPosition(d.start ?? 0).line - header.length;
      byLine.set(line, [...(byLine.get(line) ?? []), d]);
    }
    const compiled = all.filter((l, i) => l.wantError && (byLine.get(i) ?? []).length === 0).map((l) => l.label);
    const refused = all.flatMap((l, i) => (!l.wantError && (byLine.get(i) ?? []).length > 0 ? [`${l.label}: ${ts.flattenDiagnosticMessageText(byLine.get(i)![0]!.messageText, " ")}`] : []));
    // A misspelt field is reported as such (not as some other mismatch).
    const misread = all.filter((l, i) => l.misspelt && (byLine.get(i) ?? []).length > 0 && !byLine.get(i)!.some((d) => d.code === 2353 || d.code === 2561)).map((l) => l.label);
    expect(compiled).toEqual([]);
    expect(refused).toEqual([]);
    expect(misread).toEqual([]);
    expect(all.filter((l) => l.wantError).length).toBeGreaterThan(minimumWrong);
  });
}


// The generator names each repeated response shape once (scripts/lib/shared-types.ts): the
// declarations get smaller, the types must stay the same. Checked on openapi-typescript's own
// output for generated documents: putting every alias back in place gives, character for
// character, what openapi-typescript wrote, comments included, and no operation's response
// object is written twice.
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { shareRepeatedTypes } from "../../scripts/lib/shared-types.js";

type Json = Record<string, unknown>;

const printer = ts.createPrinter({ removeComments: false });
const print = (nodes: readonly ts.Node[]): string => {
  const scratch = ts.createSourceFile("out.ts", "", ts.ScriptTarget.Latest);
  return nodes.map((n) => printer.printNode(ts.EmitHint.Unspecified, n, scratch)).join("\n");
};

/** The names the pass adds (openapi-typescript has `$defs`, `$Read`, ... of its own). */
const SHARED_NAME = /^\$(Headers|NoParameters|Response\d+)$/;

/** The shared output with each `$...` alias replaced by its definition, and the aliases removed. */
function inlineAliases(text: string): string {
  const source = ts.createSourceFile("shared.ts", text, ts.ScriptTarget.Latest, true);
  const aliases = new Map<string, ts.TypeNode>();
  for (const statement of source.statements) {
    if (ts.isTypeAliasDeclaration(statement) && SHARED_NAME.test(statement.name.text)) aliases.set(statement.name.text, statement.type);
  }
  const inline: ts.TransformerFactory<ts.SourceFile> = (context) => (root) => {
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && aliases.has(node.typeName.text)) return ts.visitNode(aliases.get(node.typeName.text)!, visit)!;
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(root, visit, context);
  };
  const result = ts.transform(source, [inline]);
  const statements = result.transformed[0]!.statements.filter((s) => !(ts.isTypeAliasDeclaration(s) && aliases.has(s.name.text)));
  const out = printer.printFile(ts.factory.updateSourceFile(result.transformed[0]!, statements));
  result.dispose();
  return out;
}

/** Reprinted through the parser, so both sides are compared in one formatting. */
const normalized = (text: string) => printer.printFile(ts.createSourceFile("n.ts", text, ts.ScriptTarget.Latest, true));

async function openapiTypes(document: Json): Promise<ts.Node[]> {
  const { default: openapiTS } = await import("openapi-typescript");
  return openapiTS(document as never, { silent: true });
}

// Descriptions that try to break out of a comment or look like code.
const text = fc.oneof(fc.constantFrom("OK", "Not found", "*/ type X = 1; /*", "line\nbreak", "", " "), fc.string({ maxLength: 12 }));
const schema = fc.oneof(
  fc.constant({ $ref: "#/components/schemas/Error" }),
  fc.constant({ $ref: "#/components/schemas/Item" }),
  fc.record({ type: fc.constant("object"), properties: fc.dictionary(fc.constantFrom("id", "name", "message", "*/", "a b"), fc.constant({ type: "string" }), { maxKeys: 3 }) }),
  fc.constant({ type: "array", items: { type: "string" } }),
);
const headers = fc.option(fc.dictionary(fc.constantFrom("Location", "Retry-After", "X-Id"), fc.record({ description: text, schema: fc.constant({ type: "string" }) }), { maxKeys: 2 }), { nil: undefined });
const response = fc.record({
  description: text,
  headers,
  content: fc.option(fc.dictionary(fc.constantFrom("application/json", "text/plain", "application/problem+json"), fc.record({ schema }), { minKeys: 1, maxKeys: 2 }), { nil: undefined }),
});
/** The same response with other header descriptions: the same type, other documentation. */
const twin = (r: { headers?: Record<string, { description: string }> }) =>
  r.headers === undefined ? r : { ...r, headers: Object.fromEntries(Object.entries(r.headers).map(([name, h]) => [name, { ...h, description: `${h.description} (other)` }])) };

// Few shapes, many operations: repeats are the common case, as in HPE's documents; twins differ in comments alone.
const document = fc.array(response, { minLength: 1, maxLength: 3 }).map((base) => [...base, ...base.map(twin)]).chain((pool) =>
  fc
    .array(
      fc.record({
        method: fc.constantFrom("get", "post", "delete"),
        responses: fc.dictionary(fc.constantFrom("200", "201", "400", "401", "404", "500", "default"), fc.integer({ min: 0, max: pool.length - 1 }), { minKeys: 1, maxKeys: 5 }),
        parameters: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8 },
    )
    .map((ops) => {
      const paths: Json = {};
      ops.forEach((op, i) => {
        const responses = Object.fromEntries(Object.entries(op.responses).map(([code, index]) => [code, structuredClone(pool[index]!)]));
        const parameters = op.parameters ? [{ name: "id", in: "path", required: true, schema: { type: "string" } }] : [];
        paths[`/things/${i}${op.parameters ? "/{id}" : ""}`] = { [op.method]: { operationId: `op${i}`, parameters, responses } };
      });
      return {
        openapi: "3.0.3",
        info: { title: "t", version: "1" },
        paths,
        components: {
          schemas: { Error: { type: "object", properties: { message: { type: "string" } } }, Item: { type: "object", properties: { id: { type: "string" } } } },
          // Named responses keep their shape even when identical: users name them.
          responses: { NotFound: { description: "Not found", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } },
        },
      } as Json;
    }),
);

/** Every response object written in the shared output's operations, as printed. */
function responseObjects(text: string): string[] {
  const source = ts.createSourceFile("s.ts", text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === "components") return;
    if (ts.isPropertySignature(node) && node.name.getText(source) === "responses" && node.type && ts.isTypeLiteralNode(node.type)) {
      for (const m of node.type.members) if (ts.isPropertySignature(m) && m.type && ts.isTypeLiteralNode(m.type)) found.push(m.type.getText(source));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("shareRepeatedTypes", () => {
  it("writes the same types as openapi-typescript, comments included, each repeated response object once", async () => {
    await fc.assert(
      fc.asyncProperty(document, async (doc) => {
        const nodes = await openapiTypes(doc);
        const original = normalized(print(nodes));
        const shared = print(shareRepeatedTypes(nodes));
        expect(normalized(inlineAliases(shared))).toBe(original);
        const objects = responseObjects(shared);
        expect(new Set(objects).size).toBe(objects.length);
      }),
      { numRuns: 40 },
    );
  });

  it("names a repeated error response once and leaves named responses as written", async () => {
    const error = { description: "Failed", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    const nodes = await openapiTypes({
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      paths: {
        "/a": { get: { operationId: "a", responses: { "200": { description: "OK" }, "400": error, "500": error } } },
        "/b": { get: { operationId: "b", responses: { "404": { $ref: "#/components/responses/NotFound" }, "500": error } } },
      },
      components: {
        schemas: { Error: { type: "object", properties: { message: { type: "string" } } } },
        responses: { NotFound: error },
      },
    });
    const shared = print(shareRepeatedTypes(nodes));
    expect(shared).toContain('400: $Response0;');
    expect(shared.match(/: \$Response0;/g)).toHaveLength(3);
    expect(shared).toContain('type $Response0 = {\n    headers: $Headers;\n    content: {\n        "application/json": components["schemas"]["Error"];');
    expect(shared).toContain('404: components["responses"]["NotFound"];');
    // The named response keeps its own shape.
    expect(shared).toMatch(/NotFound: \{\n\s+headers: \$Headers;/);
    expect(shared).toContain("parameters: $NoParameters;");
  });
});

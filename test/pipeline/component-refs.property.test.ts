// The generator writes each component reference through one alias per section
// (scripts/lib/component-refs.ts): the declarations get smaller, the types must stay the same.
// Checked on openapi-typescript's own output for generated documents with hostile component
// names: putting each alias back in place gives, character for character, what the earlier
// passes wrote, and no reference is left written in full.
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { sectionAlias, shortenComponentRefs } from "../../scripts/lib/component-refs.js";

type Json = Record<string, unknown>;

const printer = ts.createPrinter({ removeComments: false });
const print = (nodes: readonly ts.Node[]): string => {
  const scratch = ts.createSourceFile("out.ts", "", ts.ScriptTarget.Latest);
  return nodes.map((n) => printer.printNode(ts.EmitHint.Unspecified, n, scratch)).join("\n");
};
const normalized = (text: string) => printer.printFile(ts.createSourceFile("n.ts", text, ts.ScriptTarget.Latest, true));

const SECTIONS = ["schemas", "parameters", "responses", "headers", "requestBodies", "pathItems"];
const ALIAS = new RegExp(`^\\$(${SECTIONS.join("|")})$`);

/** The shortened output with each section alias replaced by `components["<section>"]`, and the aliases removed. */
function inlineAliases(text: string): string {
  const source = ts.createSourceFile("short.ts", text, ts.ScriptTarget.Latest, true);
  const inline: ts.TransformerFactory<ts.SourceFile> = (context) => (root) => {
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && ALIAS.test(node.typeName.text)) {
        const section = node.typeName.text.slice(1);
        return ts.factory.createIndexedAccessTypeNode(ts.factory.createTypeReferenceNode("components"), ts.factory.createLiteralTypeNode(ts.factory.createStringLiteral(section)));
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(root, visit, context);
  };
  const kept = source.statements.filter((s) => !(ts.isTypeAliasDeclaration(s) && ALIAS.test(s.name.text)));
  const result = ts.transform(ts.factory.updateSourceFile(source, kept), [inline]);
  const out = printer.printFile(result.transformed[0]!);
  result.dispose();
  return out;
}

/** References still written `components["<section>"]["<name>"]`, outside the section aliases. */
function fullReferences(text: string): string[] {
  const source = ts.createSourceFile("s.ts", text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTypeAliasDeclaration(node) && ALIAS.test(node.name.text)) return;
    if (ts.isIndexedAccessTypeNode(node) && ts.isIndexedAccessTypeNode(node.objectType) && node.objectType.objectType.getText(source) === "components") found.push(node.getText(source));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

async function openapiTypes(document: Json): Promise<ts.Node[]> {
  const { default: openapiTS } = await import("openapi-typescript");
  return openapiTS(document as never, { silent: true });
}

// Component names that need quoting or escaping, look like code or like the aliases themselves.
const componentName = fc.oneof(
  fc.constantFrom("Item", "Error", "a b", 'quote"d', "back\\slash", "*/ type X = 1; /*", "$schemas", "components", "ünï", "0"),
  fc.stringMatching(/^[A-Za-z$_][A-Za-z0-9 ._$-]{0,10}$/),
);

const document = fc
  .record({
    schemas: fc.uniqueArray(componentName, { minLength: 1, maxLength: 5 }),
    parameters: fc.uniqueArray(componentName, { maxLength: 3 }),
    responses: fc.uniqueArray(componentName, { maxLength: 2 }),
    operations: fc.array(fc.record({ method: fc.constantFrom("get", "post", "delete"), pick: fc.nat(), param: fc.option(fc.nat(), { nil: undefined }), response: fc.option(fc.nat(), { nil: undefined }) }), { minLength: 1, maxLength: 6 }),
  })
  .map(({ schemas, parameters, responses, operations }) => {
    const ref = (section: string, name: string) => ({ $ref: `#/components/${section}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}` });
    const schema = (i: number) => ref("schemas", schemas[i % schemas.length]!);
    const schemaObjects = Object.fromEntries(
      schemas.map((name, i) => [name, i % 3 === 0 ? { type: "object", properties: { next: schema(i + 1), all: { type: "array", items: schema(i) } } } : i % 3 === 1 ? { type: ["string", "null"] } : { anyOf: [schema(i + 1), { type: "integer" }] }]),
    );
    const paths: Json = {};
    operations.forEach((op, i) => {
      const parameter = op.param !== undefined && parameters.length > 0 ? [ref("parameters", parameters[op.param % parameters.length]!)] : [];
      const response = op.response !== undefined && responses.length > 0 ? ref("responses", responses[op.response % responses.length]!) : { description: "OK", content: { "application/json": { schema: schema(op.pick) } } };
      paths[`/things/${i}`] = { [op.method]: { operationId: `op${i}`, parameters: parameter, responses: { "200": response } } };
    });
    return {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths,
      components: {
        schemas: schemaObjects,
        parameters: Object.fromEntries(parameters.map((name, i) => [name, { name: `p${i}`, in: "query", schema: schema(i) }])),
        responses: Object.fromEntries(responses.map((name, i) => [name, { description: "r", content: { "application/json": { schema: schema(i) } } }])),
      },
    } as Json;
  });

describe("shortenComponentRefs", () => {
  it("writes the same types, every component reference through its section's alias", async () => {
    await fc.assert(
      fc.asyncProperty(document, async (doc) => {
        const nodes = await openapiTypes(doc);
        const original = normalized(print(nodes));
        const short = print(shortenComponentRefs(nodes));
        expect(fullReferences(short)).toEqual([]);
        expect(normalized(inlineAliases(short))).toBe(original);
      }),
      { numRuns: 40 },
    );
  });

  it("gives the compiler the same type for a reference written either way", async () => {
    const nodes = await openapiTypes({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: { "/a": { get: { operationId: "a", parameters: [{ $ref: "#/components/parameters/limit" }], responses: { "200": { $ref: "#/components/responses/Listed" } } } } },
      components: {
        schemas: { 'Item "x"': { type: "object", required: ["id"], properties: { id: { type: "string" }, next: { $ref: '#/components/schemas/Item "x"' } } } },
        parameters: { limit: { name: "limit", in: "query", schema: { type: "integer" } } },
        responses: { Listed: { description: "OK", content: { "application/json": { schema: { type: "array", items: { $ref: '#/components/schemas/Item "x"' } } } } } },
      },
    });
    const short = print(shortenComponentRefs(nodes));
    expect(short).toContain(`type ${sectionAlias("schemas")} = components["schemas"];`);
    expect(short).toContain('next?: $schemas["Item \\"x\\""];');
    const check = [
      short,
      'type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;',
      'export const item: Same<$schemas["Item \\"x\\""], components["schemas"]["Item \\"x\\""]> = true;',
      'export const limit: Same<NonNullable<operations["a"]["parameters"]["query"]>, { limit?: components["parameters"]["limit"] }> = true;',
      'export const listed: Same<operations["a"]["responses"][200], components["responses"]["Listed"]> = true;',
      'export const id: string = ({} as $schemas["Item \\"x\\""]).id;',
      "// @ts-expect-error: a misspelt field is still an error",
      'export const misspelt = ({} as $schemas["Item \\"x\\""]).idd;',
    ].join("\n");
    const host = ts.createCompilerHost({ strict: true, noEmit: true });
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version) => (name === "check.ts" ? ts.createSourceFile(name, check, version) : read(name, version));
    const program = ts.createProgram(["check.ts"], { strict: true, noEmit: true, types: [], lib: ["lib.es2022.d.ts"] }, host);
    const errors = ts.getPreEmitDiagnostics(program).map((d) => `${d.start === undefined ? "" : check.slice(0, d.start).split("\n").length}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    expect(errors).toEqual([]);
  });
});

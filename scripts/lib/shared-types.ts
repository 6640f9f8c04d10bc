/**
 * openapi-typescript writes every operation's responses in full, so one
 * document repeats the same response object (the same error body, the same
 * `headers: { [name: string]: unknown }`) thousands of times. TypeScript parses
 * and binds every declaration file a program reaches, used or not, and the
 * package root reaches every service's types: each repetition is paid by every
 * program that imports the root. This pass names each repeated shape once,
 * per document, as a type alias with the same members; the types are the same
 * types (structurally identical), only written once.
 *
 * - a response object (a member of an operation's `responses`) written twice
 *   or more: `$Response<n>`, numbered in order of first appearance;
 * - `{ [name: string]: unknown }` (response headers): `$Headers`;
 * - `{ query?: never; header?: never; path?: never; cookie?: never }`: `$NoParameters`.
 *
 * Named responses in `components.responses` keep their own shapes: users name
 * those. Repeated shapes are compared as printed, comments included, so a
 * shape keeps its documentation.
 */
import ts from "typescript";

const f = ts.factory;
const HEADERS = "$Headers";
const NO_PARAMETERS = "$NoParameters";
const RESPONSE_PREFIX = "$Response";

const printer = ts.createPrinter({ removeComments: false });
const scratch = ts.createSourceFile("shape.ts", "", ts.ScriptTarget.Latest);
const printed = (node: ts.Node): string => printer.printNode(ts.EmitHint.Unspecified, node, scratch);

const HEADERS_SHAPE = "{\n    [name: string]: unknown;\n}";
const NO_PARAMETERS_SHAPE = "{\n    query?: never;\n    header?: never;\n    path?: never;\n    cookie?: never;\n}";

function nameOf(member: ts.Node): string | undefined {
  if (!ts.isPropertySignature(member)) return undefined;
  const name = member.name;
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** Replaces the two fixed shapes wherever they occur. */
function fixedShapes(context: ts.TransformationContext): (root: ts.Node) => ts.Node {
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isTypeLiteralNode(node) && node.members.length <= 4) {
      const text = printed(node);
      if (text === HEADERS_SHAPE) return f.createTypeReferenceNode(HEADERS);
      if (text === NO_PARAMETERS_SHAPE) return f.createTypeReferenceNode(NO_PARAMETERS);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (root) => ts.visitNode(root, visit) as ts.Node;
}

/**
 * Calls `onResponse` for each response object of an operation: the type literal of a member of
 * a `responses` property, except the one `components` declares (named responses).
 */
function responsesVisitor(context: ts.TransformationContext, onResponse: (node: ts.TypeLiteralNode) => ts.TypeNode): (root: ts.Node) => ts.Node {
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === "components") return node;
    if (ts.isPropertySignature(node) && nameOf(node) === "responses" && node.type !== undefined && ts.isTypeLiteralNode(node.type)) {
      const members = node.type.members.map((member) =>
        ts.isPropertySignature(member) && member.type !== undefined && ts.isTypeLiteralNode(member.type)
          ? f.updatePropertySignature(member, member.modifiers, member.name, member.questionToken, onResponse(member.type))
          : member,
      );
      return f.updatePropertySignature(node, node.modifiers, node.name, node.questionToken, f.updateTypeLiteralNode(node.type, f.createNodeArray(members)));
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (root) => ts.visitNode(root, visit) as ts.Node;
}

function transformAll(nodes: readonly ts.Node[], transformer: ts.TransformerFactory<ts.Node>): ts.Node[] {
  const result = ts.transform([...nodes], [transformer]);
  const out = [...result.transformed];
  result.dispose();
  return out;
}

function alias(name: string, type: ts.TypeNode): ts.TypeAliasDeclaration {
  return f.createTypeAliasDeclaration(undefined, name, undefined, type);
}

/** One document's types with each repeated shape written once (see the module comment). */
export function shareRepeatedTypes(nodes: readonly ts.Node[]): ts.Node[] {
  const fixed = transformAll(nodes, fixedShapes);
  // First pass: how often each response object occurs, in order of first appearance.
  const seen = new Map<string, { count: number; node: ts.TypeLiteralNode }>();
  transformAll(fixed, (context) =>
    responsesVisitor(context, (node) => {
      const text = printed(node);
      const entry = seen.get(text);
      if (entry === undefined) seen.set(text, { count: 1, node });
      else entry.count++;
      return node;
    }),
  );
  const names = new Map<string, string>();
  const aliases: ts.TypeAliasDeclaration[] = [];
  for (const [text, { count, node }] of seen) {
    if (count < 2) continue;
    const name = `${RESPONSE_PREFIX}${names.size}`;
    names.set(text, name);
    aliases.push(alias(name, node));
  }
  const shared = transformAll(fixed, (context) =>
    responsesVisitor(context, (node) => {
      const name = names.get(printed(node));
      return name === undefined ? node : f.createTypeReferenceNode(name);
    }),
  );
  const headers = alias(HEADERS, f.createTypeLiteralNode([
    f.createIndexSignature(undefined, [f.createParameterDeclaration(undefined, undefined, "name", undefined, f.createKeywordTypeNode(ts.SyntaxKind.StringKeyword))], f.createKeywordTypeNode(ts.SyntaxKind.UnknownKeyword)),
  ]));
  const never = (name: string) => f.createPropertySignature(undefined, name, f.createToken(ts.SyntaxKind.QuestionToken), f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword));
  const noParameters = alias(NO_PARAMETERS, f.createTypeLiteralNode(["query", "header", "path", "cookie"].map(never)));
  return [...shared, headers, noParameters, ...aliases];
}

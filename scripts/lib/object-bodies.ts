/**
 * A request body the document declares as an object must be one. openapi-fetch
 * hands bodies through `Writable<T>`, which intersects the result with `{}` when
 * no field is read-only: that switches off TypeScript's weak-type check, so a
 * string, a number or an array would compile wherever every field is optional.
 * Each request body's media types are wrapped in `ObjectBody<T>`, which adds one
 * read-only (so never sendable) marker field: the intersection then holds only
 * weak members, and the check applies again. Misspelt fields still fail.
 */
import ts from "typescript";

/** Name of the marker field; it reads as a hint in the compiler's message. */
export const OBJECT_BODY_MARKER = "(a JSON object)";

const f = ts.factory;

/** `type ObjectBody<T> = T extends readonly unknown[] ? T : T extends object ? T & { readonly "(a JSON object)"?: $Read<never> } : T;` */
function objectBodyAlias(): ts.TypeAliasDeclaration {
  const t = f.createTypeReferenceNode("T");
  const marker = f.createTypeLiteralNode([
    f.createPropertySignature(
      [f.createModifier(ts.SyntaxKind.ReadonlyKeyword)],
      f.createStringLiteral(OBJECT_BODY_MARKER),
      f.createToken(ts.SyntaxKind.QuestionToken),
      f.createTypeReferenceNode("$Read", [f.createKeywordTypeNode(ts.SyntaxKind.NeverKeyword)]),
    ),
  ]);
  const array = f.createTypeOperatorNode(ts.SyntaxKind.ReadonlyKeyword, f.createArrayTypeNode(f.createKeywordTypeNode(ts.SyntaxKind.UnknownKeyword)));
  const objectCase = f.createConditionalTypeNode(t, f.createKeywordTypeNode(ts.SyntaxKind.ObjectKeyword), f.createIntersectionTypeNode([t, marker]), t);
  return f.createTypeAliasDeclaration(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    "ObjectBody",
    [f.createTypeParameterDeclaration(undefined, "T")],
    f.createConditionalTypeNode(t, array, t, objectCase),
  );
}

function nameOf(member: ts.TypeElement): string | undefined {
  const name = member.name;
  return name !== undefined && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined;
}

/** `content: { "media/type": T }` with each T wrapped. */
function wrapContent(body: ts.TypeLiteralNode): ts.TypeLiteralNode {
  return f.updateTypeLiteralNode(
    body,
    f.createNodeArray(
      body.members.map((member) => {
        if (nameOf(member) !== "content" || !ts.isPropertySignature(member) || member.type === undefined || !ts.isTypeLiteralNode(member.type)) return member;
        const media = member.type.members.map((m) =>
          ts.isPropertySignature(m) && m.type !== undefined ? f.updatePropertySignature(m, m.modifiers, m.name, m.questionToken, f.createTypeReferenceNode("ObjectBody", [m.type])) : m,
        );
        return f.updatePropertySignature(member, member.modifiers, member.name, member.questionToken, f.updateTypeLiteralNode(member.type, f.createNodeArray(media)));
      }),
    ),
  );
}

/** openapi-typescript's nodes with every request body wrapped, and the `ObjectBody` alias added. */
export function guardObjectBodies(nodes: readonly ts.Node[]): ts.Node[] {
  const wrap: ts.TransformerFactory<ts.Node> = (context) => (root) => {
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isPropertySignature(node) && nameOf(node) === "requestBody" && node.type !== undefined && ts.isTypeLiteralNode(node.type)) {
        return f.updatePropertySignature(node, node.modifiers, node.name, node.questionToken, wrapContent(node.type));
      }
      // Shared bodies (`components.requestBodies`), which operations name by reference.
      if (ts.isPropertySignature(node) && nameOf(node) === "requestBodies" && node.type !== undefined && ts.isTypeLiteralNode(node.type)) {
        const bodies = node.type.members.map((m) => (ts.isPropertySignature(m) && m.type !== undefined && ts.isTypeLiteralNode(m.type) ? f.updatePropertySignature(m, m.modifiers, m.name, m.questionToken, wrapContent(m.type)) : m));
        return f.updatePropertySignature(node, node.modifiers, node.name, node.questionToken, f.updateTypeLiteralNode(node.type, f.createNodeArray(bodies)));
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(root, visit) as ts.Node;
  };
  const result = ts.transform([...nodes], [wrap]);
  const out = [...result.transformed];
  result.dispose();
  return [...out, objectBodyAlias()];
}

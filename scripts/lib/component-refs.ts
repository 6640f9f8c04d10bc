/**
 * openapi-typescript writes each reference to a component as
 * `components["schemas"]["Name"]`: eight syntax nodes, thousands of times per
 * document. TypeScript parses and binds every declaration file a program
 * reaches, used or not, and the package root reaches every service's types, so
 * each node is paid by every program that imports the root. This pass writes
 * each reference through one alias per component section,
 * `$schemas["Name"]` with `type $schemas = components["schemas"]`: five nodes,
 * the same type (an alias of an indexed access resolves to what it names).
 *
 * Only references whose section and name are string literals are rewritten;
 * `components` itself keeps its shape, so `components["schemas"]["Name"]` and
 * `Schemas["Name"]` still name every schema.
 */
import ts from "typescript";

const f = ts.factory;

/** The alias naming one section of `components`: `$schemas`, `$parameters`, ... */
export function sectionAlias(section: string): string {
  return `$${section}`;
}

const SECTION = /^[A-Za-z][A-Za-z0-9]*$/;

/** `components["<section>"]["<name>"]`: the section, when `node` is such a reference. */
function referencedSection(node: ts.Node): string | undefined {
  if (!ts.isIndexedAccessTypeNode(node) || !ts.isIndexedAccessTypeNode(node.objectType)) return undefined;
  const inner = node.objectType;
  if (!ts.isTypeReferenceNode(inner.objectType)) return undefined;
  const target = inner.objectType.typeName;
  if (!ts.isIdentifier(target) || target.text !== "components" || inner.objectType.typeArguments !== undefined) return undefined;
  const literal = (index: ts.TypeNode) => (ts.isLiteralTypeNode(index) && ts.isStringLiteral(index.literal) ? index.literal.text : undefined);
  const section = literal(inner.indexType);
  if (section === undefined || !SECTION.test(section) || literal(node.indexType) === undefined) return undefined;
  return section;
}

/** Names declared at the top level of the document's types, which an alias must not shadow. */
function topLevelNames(nodes: readonly ts.Node[]): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) {
    if ((ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node)) && ts.isIdentifier(node.name)) names.add(node.name.text);
  }
  return names;
}

/** One document's types with every literal component reference written through its section's alias. */
export function shortenComponentRefs(nodes: readonly ts.Node[]): ts.Node[] {
  const taken = topLevelNames(nodes);
  const used = new Set<string>();
  const transformer: ts.TransformerFactory<ts.Node> = (context) => {
    const visit = (node: ts.Node): ts.Node => {
      const section = referencedSection(node);
      if (section !== undefined && !taken.has(sectionAlias(section))) {
        used.add(section);
        return f.createIndexedAccessTypeNode(f.createTypeReferenceNode(sectionAlias(section)), (node as ts.IndexedAccessTypeNode).indexType);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (root) => ts.visitNode(root, visit) as ts.Node;
  };
  const result = ts.transform([...nodes], [transformer]);
  const out = [...result.transformed];
  result.dispose();
  const aliases = [...used].map((section) =>
    f.createTypeAliasDeclaration(
      undefined,
      sectionAlias(section),
      undefined,
      f.createIndexedAccessTypeNode(f.createTypeReferenceNode("components"), f.createLiteralTypeNode(f.createStringLiteral(section))),
    ),
  );
  return [...out, ...aliases];
}

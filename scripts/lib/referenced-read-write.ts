/**
 * openapi-typescript reads `readOnly`/`writeOnly` only on a property's own schema; HPE's
 * documents often state them on the referenced schema (`id: {$ref: UUID}`, UUID readOnly).
 * This `transformProperty` hook marks such properties as if the keyword were stated in place.
 */
import ts from "typescript";
import type { TransformNodeOptions } from "openapi-typescript";

type Marker = "$Read" | "$Write";

/** The marker a referenced schema asks for, following chains of references. */
export function referencedMarker(schema: unknown, resolve: (ref: string) => unknown): Marker | undefined {
  const seen = new Set<string>();
  let current = schema as { $ref?: unknown; readOnly?: unknown; writeOnly?: unknown } | undefined;
  // The property's own keywords are openapi-typescript's business; only look behind the reference.
  while (current && typeof current.$ref === "string" && !seen.has(current.$ref)) {
    seen.add(current.$ref);
    current = resolve(current.$ref) as typeof current;
    if (!current || typeof current !== "object") return undefined;
    if (current.readOnly === true && current.writeOnly !== true) return "$Read";
    if (current.writeOnly === true && current.readOnly !== true) return "$Write";
  }
  return undefined;
}

export function markReferencedReadWrite(property: ts.PropertySignature, schema: unknown, options: TransformNodeOptions): ts.PropertySignature | undefined {
  const own = schema as { readOnly?: unknown; writeOnly?: unknown } | undefined;
  if (!property.type || own?.readOnly === true || own?.writeOnly === true) return undefined;
  const marker = referencedMarker(schema, (ref) => options.ctx.resolve(ref));
  if (marker === undefined) return undefined;
  const type = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier(marker), [property.type]);
  return ts.factory.updatePropertySignature(property, property.modifiers, property.name, property.questionToken, type);
}

/**
 * The compact text a service's operations are stored as in the package (the generator writes it,
 * `withLazyOperations` reads it on first use). The JSON of the operations themselves repeats every
 * key, the document key, the path's prefix, the pagination and rate-limit objects and their source
 * text on every operation; the package root carries every service's table, and each byte of it is
 * scanned when the package is imported. Here each distinct document, pagination, list and
 * rate-limit list is written once, an operation names them by index, and a path is written as the
 * length it shares with the previous operation's path plus the rest.
 *
 * Text: `[values, rows]`, a row being
 * `[method, shared, rest, operationId, flags, document, pagination?, commaJoinedQuery?, requestMediaTypes?, rateLimits?]`:
 * `method` an index into METHODS, `shared` + `rest` the path, `flags` bit 0 deprecated and bit 1
 * idempotencyKey, the others indexes into `values` (-1: absent; trailing absent ones left out).
 */

// Shapes of src/metadata.ts (OperationMetadata), which reads its operations through this module: named here, not imported.
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];
/** Optional members held in `values`, in the order OperationMetadata declares them (and rows and objects carry them). */
const SHARED = ["pagination", "commaJoinedQuery", "requestMediaTypes", "rateLimits"] as const;
const KNOWN = new Set(["method", "path", "operationId", "deprecated", "document", ...SHARED, "idempotencyKey"]);

type Row = [number, number, string, string, number, number, ...number[]];
/** An operation as src/metadata.ts declares it (OperationMetadata), read member by member. */
type Operation = Readonly<Record<string, unknown>>;

/** The compact text of `operations`; throws when an operation has a member this format cannot carry, rather than drop it. */
export function encodeOperations(operations: readonly object[]): string {
  const values: unknown[] = [];
  const indexes = new Map<string, number>();
  const ref = (value: unknown): number => {
    const key = JSON.stringify(value);
    let index = indexes.get(key);
    if (index === undefined) indexes.set(key, (index = values.push(value) - 1));
    return index;
  };
  let previous = "";
  const rows = (operations as readonly Operation[]).map((op): Row => {
    const where = `operation ${JSON.stringify(op.operationId)} (${JSON.stringify(op.method)} ${JSON.stringify(op.path)})`;
    const unknown = Object.keys(op).filter((k) => !KNOWN.has(k));
    if (unknown.length > 0) throw new Error(`${where}: members ${unknown.join(", ")} have no place in the operations' compact text; add them to src/internal/operations-codec.ts`);
    const method = METHODS.indexOf(op.method as string);
    if (method < 0 || typeof op.path !== "string" || typeof op.operationId !== "string" || typeof op.deprecated !== "boolean" || typeof op.document !== "string") {
      throw new Error(`${where}: method, path, operationId, deprecated or document is not of its type`);
    }
    if (op.idempotencyKey !== undefined && op.idempotencyKey !== true) throw new Error(`${where}: idempotencyKey is ${JSON.stringify(op.idempotencyKey)}, only true or absent can be written`);
    let shared = 0;
    while (shared < previous.length && shared < op.path.length && previous[shared] === op.path[shared]) shared++;
    previous = op.path;
    const row: Row = [method, shared, op.path.slice(shared), op.operationId, (op.deprecated ? 1 : 0) | (op.idempotencyKey ? 2 : 0), ref(op.document)];
    const optional = SHARED.map((name) => (op[name] === undefined ? -1 : ref(op[name])));
    while (optional.length > 0 && optional[optional.length - 1] === -1) optional.pop();
    row.push(...optional);
    return row;
  });
  const text = JSON.stringify([values, rows]);
  // What the runtime will read back must be what was given, key order included; otherwise no table at all.
  if (JSON.stringify(decodeOperations(text)) !== JSON.stringify(operations)) throw new Error("operations' compact text does not read back as the operations it was written from");
  return text;
}

/** The operations `encodeOperations` wrote `text` from. Text from anywhere else is not checked: the package writes it. */
export function decodeOperations(text: string): Operation[] {
  const [values, rows] = JSON.parse(text) as [unknown[], Row[]];
  let previous = "";
  return rows.map(([method, shared, rest, operationId, flags, document, ...optional]) => {
    const path = previous.slice(0, shared) + rest;
    previous = path;
    const op: Record<string, unknown> = { method: METHODS[method], path, operationId, deprecated: (flags & 1) === 1, document: values[document] };
    SHARED.forEach((name, i) => {
      const index = optional[i];
      if (index !== undefined && index >= 0) op[name] = values[index];
    });
    if (flags & 2) op.idempotencyKey = true;
    return op;
  });
}

/**
 * Which document serves a request: the request path is matched against every
 * operation's path template; a literal segment beats a parameter, so
 * `/users/me` wins over `/users/{id}` even when the two come from different documents.
 */
export interface RoutedOperation {
  readonly document: string;
  readonly method: string;
  readonly path: string;
}

type Segment = { kind: "literal"; text: string } | { kind: "param" } | { kind: "pattern"; regex: RegExp };

interface Route extends RoutedOperation {
  readonly segments: readonly Segment[];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileSegment(text: string): Segment {
  if (/^\{[^}]+\}$/.test(text)) return { kind: "param" };
  if (!text.includes("{")) return { kind: "literal", text };
  const source = text.split(/\{[^}]+\}/).map(escapeRegex).join("[^/]+");
  return { kind: "pattern", regex: new RegExp(`^${source}$`) };
}

function split(path: string): string[] {
  return path.split("/").filter((s, i) => i > 0 || s !== "");
}

function segmentMatches(segment: Segment, text: string): boolean {
  if (segment.kind === "literal") return segment.text === text;
  if (segment.kind === "param") return text !== "";
  return segment.regex.test(text);
}

// Literal 2, pattern 1, parameter 0, read left to right: earlier literals decide first.
function specificity(route: Route): number[] {
  return route.segments.map((s) => (s.kind === "literal" ? 2 : s.kind === "pattern" ? 1 : 0));
}

function compareSpecificity(a: Route, b: Route): number {
  const x = specificity(a);
  const y = specificity(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (y[i] ?? 0) - (x[i] ?? 0);
  return 0;
}

export class RouteTable {
  readonly #byLength = new Map<number, Route[]>();

  constructor(operations: Iterable<RoutedOperation>) {
    for (const op of operations) {
      const route: Route = { ...op, method: op.method.toLowerCase(), segments: split(op.path).map(compileSegment) };
      const list = this.#byLength.get(route.segments.length) ?? [];
      list.push(route);
      this.#byLength.set(route.segments.length, list);
    }
    for (const list of this.#byLength.values()) list.sort(compareSpecificity);
  }

  /** The operation a request would reach: the most specific template defining the method, else the most specific for any method. */
  match(method: string, pathname: string): RoutedOperation | undefined {
    const parts = split(pathname);
    const candidates = (this.#byLength.get(parts.length) ?? []).filter((r) => r.segments.every((s, i) => segmentMatches(s, parts[i] ?? "")));
    const m = method.toLowerCase();
    return candidates.find((r) => r.method === m) ?? candidates[0];
  }

  /**
   * Pairs of operations from different documents that one request could reach
   * with the same method and the same specificity, which routing cannot tell apart.
   */
  collisions(): Array<[RoutedOperation, RoutedOperation]> {
    const found: Array<[RoutedOperation, RoutedOperation]> = [];
    for (const list of this.#byLength.values()) {
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i]!;
          const b = list[j]!;
          if (a.document === b.document || a.method !== b.method || compareSpecificity(a, b) !== 0) continue;
          const overlap = a.segments.every((s, k) => {
            const t = b.segments[k]!;
            return s.kind !== "literal" || t.kind !== "literal" || s.text === t.text;
          });
          if (overlap) found.push([a, b]);
        }
      }
    }
    return found;
  }
}

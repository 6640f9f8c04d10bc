/** Counts of lint problems per document and rule, and how a new run compares with the baseline. */

export type Severity = "errors" | "warnings";
/** Document key -> severity -> rule id -> count. Rule ids and counts only: no upstream prose. */
export type LintCounts = Record<string, Record<Severity, Record<string, number>>>;

export interface RedoclyProblem {
  readonly ruleId: string;
  readonly severity: string;
  readonly location?: readonly { source?: { ref?: string } }[];
}

/** Splits output holding several JSON values one after another (the CLI prints one per api). */
export function parseJsonSequence(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth++ === 0) start = i;
    } else if (c === "}" || c === "]") {
      if (--depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}

/** Counts problems per document; `keyOf` maps a problem's source file to its document key. */
export function countProblems(problems: readonly RedoclyProblem[], keyOf: (source: string) => string | undefined): LintCounts {
  const counts: LintCounts = {};
  for (const problem of problems) {
    const key = keyOf(problem.location?.[0]?.source?.ref ?? "");
    if (!key) throw new Error(`lint problem ${problem.ruleId} in an unknown file`);
    const severity: Severity = problem.severity === "error" ? "errors" : "warnings";
    const bucket = ((counts[key] ??= { errors: {}, warnings: {} })[severity] ??= {});
    bucket[problem.ruleId] = (bucket[problem.ruleId] ?? 0) + 1;
  }
  return counts;
}

/** Same counts with keys sorted at every level, and every listed document present. */
export function normalizeCounts(counts: LintCounts, keys: readonly string[]): LintCounts {
  const sortRecord = (r: Record<string, number> = {}) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
  return Object.fromEntries(
    [...keys].sort().map((key) => [key, { errors: sortRecord(counts[key]?.errors), warnings: sortRecord(counts[key]?.warnings) }]),
  );
}

export interface LintDifference {
  readonly key: string;
  readonly severity: Severity;
  readonly rule: string;
  readonly baseline: number;
  readonly current: number;
}

/** Every document/severity/rule whose count differs from the baseline. */
export function compareWithBaseline(current: LintCounts, baseline: LintCounts): LintDifference[] {
  const differences: LintDifference[] = [];
  const keys = new Set([...Object.keys(current), ...Object.keys(baseline)]);
  for (const key of [...keys].sort()) {
    for (const severity of ["errors", "warnings"] as const) {
      const now = current[key]?.[severity] ?? {};
      const before = baseline[key]?.[severity] ?? {};
      for (const rule of [...new Set([...Object.keys(now), ...Object.keys(before)])].sort()) {
        const a = before[rule] ?? 0;
        const b = now[rule] ?? 0;
        if (a !== b) differences.push({ key, severity, rule, baseline: a, current: b });
      }
    }
  }
  return differences;
}

export function totals(counts: LintCounts[string] | undefined): { errors: number; warnings: number } {
  const sum = (r: Record<string, number> = {}) => Object.values(r).reduce((a, b) => a + b, 0);
  return { errors: sum(counts?.errors), warnings: sum(counts?.warnings) };
}

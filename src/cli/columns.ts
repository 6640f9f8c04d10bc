/**
 * Which columns a table shows, and how wide it may be. Default columns are
 * chosen per operation from its response schema when the metadata is generated
 * (`rankColumns` in scripts/lib/cli-metadata.ts) and arrive as the operation's `columns`.
 */

/** `--columns a,b.c`: names split on commas, blanks dropped. */
export function parseColumns(value: string): string[] {
  return value
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
}

/**
 * Width for tables: the terminal's, else `COLUMNS`, else 80 on a terminal that reports
 * none (0 or missing), else no limit when piped.
 */
export function tableWidth(stdout: { readonly isTTY?: boolean; readonly columns?: number }, env: Readonly<Record<string, string | undefined>>): number {
  const reported = stdout.columns;
  if (typeof reported === "number" && Number.isFinite(reported) && reported > 0) return reported;
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return stdout.isTTY ? 80 : Number.POSITIVE_INFINITY;
}

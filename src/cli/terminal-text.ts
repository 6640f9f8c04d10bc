/**
 * Terminal-safe text: the one place glp turns text it did not write (server
 * answers, documents, files, tenants' names) into text it may print. Control
 * characters (C0 but tab and line feed, DEL, C1) are shown as `\xHH`; a
 * carriage return is kept only as part of a CRLF line end, which moves nothing
 * a line feed would not. JSON and YAML escape them in their own syntax, so
 * they still parse back to the data; CSV cells a spreadsheet would evaluate
 * are neutralised as OWASP recommends. `safeTerminal` wraps glp's stdout and
 * stderr so every write passes through here; glp's own line erase is the one
 * sequence it writes unescaped.
 */

export interface TerminalStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

// C0 but tab (09) and line feed (0a), a carriage return not before a line feed, DEL, C1.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)/g;
const HIGH_CONTROL = /[\u007f-\u009f]/g;

const hex = (ch: string) => ch.charCodeAt(0).toString(16).padStart(2, "0");

/** `text` with every control character shown as `\xHH`; tab and line ends stay. Idempotent. */
export function visible(text: string): string {
  return text.replace(CONTROL, (ch) => `\\x${hex(ch)}`);
}

/** One line: line breaks and tabs become spaces, other control characters are shown escaped. */
export function oneLine(text: string): string {
  return visible(text.replace(/\r\n|[\t\n\r\u2028\u2029]/g, " "));
}

/** JSON text whose strings carry DEL and C1 as `\u00HH` (JSON.stringify escapes only C0): same data, nothing raw. */
export function jsonText(value: unknown, indent?: number): string {
  return (JSON.stringify(value, null, indent) ?? "null").replace(HIGH_CONTROL, (ch) => `\\u00${hex(ch)}`);
}

/**
 * YAML text from the `yaml` package with DEL and C1 escaped: the package already
 * double-quotes any string holding them (and escapes C0 there), but writes those raw.
 */
export function yamlText(text: string): string {
  return text.replace(HIGH_CONTROL, (ch) => `\\x${hex(ch)}`);
}

// A plain number a spreadsheet reads as a number, not as a formula.
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
// OWASP: a cell beginning with = + - @ tab or CR is a formula to a spreadsheet (leading spaces do not hide it).
const FORMULA = /^[\s]*[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, line break or
 * edge space, inner quotes doubled; a cell a spreadsheet would evaluate is
 * prefixed with `'` and quoted (OWASP), numbers stay numbers; control characters escaped.
 */
export function csvField(value: unknown): string {
  const raw = value === undefined || value === null ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  let text = visible(raw);
  const formula = FORMULA.test(raw) && !NUMBER.test(raw);
  if (formula) text = `'${text}`;
  return formula || /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CLEAR_LINE = "\r\u001b[2K";

/** A stream whose writes reach the terminal with control characters escaped. */
export class SafeTerminal implements TerminalStream {
  constructor(private readonly raw: TerminalStream) {}
  get isTTY(): boolean | undefined {
    return this.raw.isTTY;
  }
  get columns(): number | undefined {
    return this.raw.columns;
  }
  write(text: string): unknown {
    return this.raw.write(visible(text));
  }
  /** glp's own styling: erases the current line (progress line, spinner). */
  clearLine(): unknown {
    return this.raw.write(CLEAR_LINE);
  }
}

/** `stream` as a safe terminal (a stream already wrapped is returned as is). */
export function safeTerminal(stream: TerminalStream): SafeTerminal {
  return stream instanceof SafeTerminal ? stream : new SafeTerminal(stream);
}

/** The same streams, every write through `visible`. */
export function safeStreams<T extends { stdout: TerminalStream; stderr: TerminalStream }>(io: T): T {
  return { ...io, stdout: safeTerminal(io.stdout), stderr: safeTerminal(io.stderr) };
}

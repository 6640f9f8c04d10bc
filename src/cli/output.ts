/**
 * Output formats. Items are written as they arrive (pages of `--all`), so a
 * long listing streams: JSON as one array, JSONL one item per line, YAML one
 * sequence entry per item, CSV and tables one row per item.
 */
import type { OutputFormat } from "./args.js";
import { cellText, fitWidths, renderRows, withSlack } from "./table.js";
import { csvField, jsonText, yamlText, type TerminalStream } from "./terminal-text.js";

export { csvField };

let yamlStringify: ((value: unknown) => string) | undefined;

/** yaml is loaded only when YAML is asked for: it is most of glp's start-up time otherwise. */
export async function loadYaml(): Promise<void> {
  yamlStringify ??= (await import("yaml")).stringify as (value: unknown) => string;
}

function toYaml(value: unknown): string {
  if (yamlStringify === undefined) throw new Error("loadYaml() must run before YAML output");
  return yamlText(yamlStringify(value));
}

export type Sink = TerminalStream;

export interface ItemWriter {
  /** A batch of items (one page). */
  items(batch: readonly unknown[]): void;
  /** Ends the listing (closes the JSON array). */
  end(): void;
}

/** Preferred default columns, in order; the first ones a resource has are shown. */
const PREFERRED = [
  "id",
  "name",
  "displayName",
  "username",
  "email",
  "serialNumber",
  "hardware.serialNumber",
  "model",
  "hardware.model",
  "type",
  "resourceType",
  "state",
  "status",
  "userStatus",
  "region",
  "createdAt",
  "updatedAt",
];
const MAX_DEFAULT_COLUMNS = 6;

export function valueAt(item: unknown, path: string): unknown {
  let current: unknown = item;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const isScalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

export function defaultColumns(sample: readonly unknown[]): string[] {
  const objects = sample.filter((s): s is Record<string, unknown> => s !== null && typeof s === "object" && !Array.isArray(s));
  if (objects.length === 0) return ["value"];
  const has = (path: string) => objects.some((o) => valueAt(o, path) !== undefined && isScalar(valueAt(o, path)));
  const chosen = PREFERRED.filter(has).slice(0, MAX_DEFAULT_COLUMNS);
  if (chosen.length >= 2) return chosen;
  const keys = new Set<string>(chosen);
  for (const o of objects) for (const [k, v] of Object.entries(o)) if (isScalar(v)) keys.add(k);
  const all = [...keys].slice(0, MAX_DEFAULT_COLUMNS);
  return all.length > 0 ? all : Object.keys(objects[0]!).slice(0, MAX_DEFAULT_COLUMNS);
}

function cell(item: unknown, column: string): unknown {
  if (item === null || typeof item !== "object") return column === "value" ? item : undefined;
  return valueAt(item, column);
}

export interface WriterOptions {
  readonly format: OutputFormat;
  readonly columns?: readonly string[] | undefined;
  /** Terminal width for tables. */
  readonly width: number;
}

export function itemWriter(out: Sink, options: WriterOptions): ItemWriter {
  let count = 0;
  let columns = options.columns;
  let widths: number[] | undefined;
  switch (options.format) {
    case "json":
      return {
        items(batch) {
          for (const item of batch) {
            const text = jsonText(item, 2);
            out.write(`${count === 0 ? "[\n" : ",\n"}  ${text.replaceAll("\n", "\n  ")}`);
            count++;
          }
        },
        end: () => void out.write(count === 0 ? "[]\n" : "\n]\n"),
      };
    case "jsonl":
      return { items: (batch) => batch.forEach((item) => out.write(`${jsonText(item)}\n`)), end: () => {} };
    case "yaml":
      return {
        items(batch) {
          if (batch.length > 0) out.write(toYaml(batch));
          count += batch.length;
        },
        end: () => void (count === 0 ? out.write("[]\n") : undefined),
      };
    case "csv":
      return {
        items(batch) {
          if (columns === undefined) columns = defaultColumns(batch);
          if (count === 0) out.write(`${columns.map(csvField).join(",")}\r\n`);
          for (const item of batch) out.write(`${columns.map((c) => csvField(cell(item, c))).join(",")}\r\n`);
          count += batch.length;
        },
        end() {
          if (count === 0 && columns !== undefined) out.write(`${columns.map(csvField).join(",")}\r\n`);
        },
      };
    case "table":
      return {
        items(batch) {
          if (batch.length === 0) return;
          if (columns === undefined) columns = defaultColumns(batch);
          const rows = batch.map((item) => columns!.map((c) => cellText(cell(item, c))));
          const header = columns.map((c) => cellText(c.toUpperCase()));
          // Widths from the first page, so rows of later pages line up under the same header.
          if (widths === undefined) {
            widths = withSlack(fitWidths([header, ...rows], options.width), options.width);
            out.write(renderRows([header], widths));
          }
          out.write(renderRows(rows, widths));
          count += batch.length;
        },
        end: () => void (count === 0 ? out.write("(no items)\n") : undefined),
      };
  }
}

/** One response body that is not a list: JSON and YAML print it whole, tables and CSV show it as one row. */
export function writeValue(out: Sink, value: unknown, options: WriterOptions): void {
  switch (options.format) {
    case "json":
      out.write(`${jsonText(value, 2)}\n`);
      return;
    case "jsonl":
      out.write(`${jsonText(value)}\n`);
      return;
    case "yaml":
      out.write(toYaml(value));
      return;
    default: {
      const writer = itemWriter(out, options);
      writer.items(Array.isArray(value) ? value : [value]);
      writer.end();
    }
  }
}

/** The list inside a response (`items`, or the body itself when it is an array), if it has one. */
export function listIn(body: unknown, itemsField = "items"): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === "object" && Array.isArray((body as Record<string, unknown>)[itemsField])) {
    return (body as Record<string, unknown[]>)[itemsField];
  }
  return undefined;
}

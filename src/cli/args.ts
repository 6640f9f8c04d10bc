/**
 * An operation's command line: glp's own options plus one option per
 * parameter of the document, parsed by commander and validated against the
 * parameter's type and enum before anything is sent.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { parseColumns } from "./columns.js";
import { UsageError } from "./exit-codes.js";
import { valueName } from "./help.js";
import type { CliOperation, CliParameter, Scalar } from "./metadata.js";

export const OUTPUT_FORMATS = ["table", "json", "jsonl", "yaml", "csv"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface GlobalOptions {
  output?: OutputFormat;
  columns?: string[];
  raw: boolean;
  all: boolean;
  maxItems?: number;
  concurrency: number;
  data?: string;
  set: string[];
  wait: boolean;
  profile?: string;
  region?: string;
  tenant?: string;
  allTenants: boolean;
  tenantConcurrency: number;
  mock: boolean;
  progress: boolean;
  verbose: boolean;
  help: boolean;
}

export interface ParsedCall {
  readonly options: GlobalOptions;
  readonly path: Record<string, Scalar>;
  readonly query: Record<string, unknown>;
  readonly header: Record<string, string>;
}

function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError("expected a positive whole number.");
  return Number(value);
}

// Decimal notation only: Number() would also take 0x10, 0b11 and 0o7, which no JSON number is.
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The number `raw` writes in decimal notation, or undefined when it is not one (or is not finite). */
export function decimalNumber(raw: string): number | undefined {
  if (!DECIMAL.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** Parses one value of a parameter's (item) type, then checks the enum. */
export function parseScalar(raw: string, type: string, allowed: readonly Scalar[] | undefined): Scalar | object {
  let value: Scalar | object;
  switch (type) {
    case "integer":
      if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) throw new InvalidArgumentError("expected a whole number.");
      value = Number(raw);
      break;
    case "number":
      value = decimalNumber(raw) ?? Number.NaN;
      if (Number.isNaN(value)) throw new InvalidArgumentError("expected a number.");
      break;
    case "boolean":
      if (raw !== "true" && raw !== "false") throw new InvalidArgumentError("expected true or false.");
      value = raw === "true";
      break;
    case "object":
      try {
        value = JSON.parse(raw) as object;
      } catch {
        throw new InvalidArgumentError("expected a JSON object.");
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw new InvalidArgumentError("expected a JSON object.");
      break;
    default:
      value = raw;
  }
  if (allowed !== undefined && allowed.length > 0 && !allowed.some((a) => a === value || String(a) === raw)) {
    throw new InvalidArgumentError(`expected one of ${allowed.map(String).join(", ")}.`);
  }
  return value;
}

function parameterOption(p: CliParameter): Option {
  const isArray = p.type.startsWith("array<");
  const itemType = isArray ? p.type.slice(6, -1) : p.type;
  // A boolean flag alone means true, as in most command lines.
  const spec = itemType === "boolean" && !isArray ? `--${p.flag} [boolean]` : `--${p.flag} <${valueName(p)}>`;
  const option = new Option(spec, `${p.in} parameter ${p.name}`);
  option.argParser((raw: string, previous: unknown) => {
    if (!isArray) return parseScalar(raw, itemType, p.enum);
    const items = raw.split(",").map((item) => parseScalar(item, itemType, p.enum));
    return [...(Array.isArray(previous) ? previous : []), ...items];
  });
  return option;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Commander's program for one operation (never exits the process; errors are thrown). */
export function operationCommand(op: CliOperation): { command: Command; parameters: Map<string, CliParameter> } {
  const command = new Command(op.name)
    .exitOverride()
    .helpOption(false)
    .allowExcessArguments(false)
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} })
    .showSuggestionAfterError(true);
  command.addOption(new Option("-o, --output <format>").choices(OUTPUT_FORMATS));
  command.addOption(new Option("--columns <list>").argParser(parseColumns));
  command.addOption(new Option("--raw").default(false));
  command.addOption(new Option("--all").default(false));
  command.addOption(new Option("--max-items <n>").argParser(positiveInteger));
  command.addOption(new Option("--concurrency <n>").argParser(positiveInteger).default(4));
  command.addOption(new Option("--data <json|@file|->"));
  command.addOption(new Option("--set <key=value>").argParser(collect).default([]));
  command.addOption(new Option("--wait").default(false));
  command.addOption(new Option("--profile <name>"));
  command.addOption(new Option("--region <name>"));
  command.addOption(new Option("--tenant <workspace-id>"));
  command.addOption(new Option("--all-tenants").default(false));
  command.addOption(new Option("--tenant-concurrency <n>").argParser(positiveInteger).default(4));
  command.addOption(new Option("--mock").default(false));
  command.addOption(new Option("--no-progress"));
  command.addOption(new Option("-v, --verbose").default(false));
  command.addOption(new Option("-h, --help").default(false));
  const parameters = new Map<string, CliParameter>();
  for (const p of op.parameters) {
    const option = parameterOption(p);
    command.addOption(option);
    parameters.set(option.attributeName(), p);
  }
  return { command, parameters };
}

/** Parses an operation's arguments; a mistake throws UsageError naming the option. */
export function parseOperationArgs(op: CliOperation, argv: readonly string[], service?: string): ParsedCall {
  const { command, parameters } = operationCommand(op);
  try {
    command.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) throw new UsageError(error.message.replace(/^error: /, ""));
    throw error;
  }
  const values = command.opts() as Record<string, unknown>;
  const options = values as unknown as GlobalOptions;
  const path: Record<string, Scalar> = {};
  const query: Record<string, unknown> = {};
  const header: Record<string, string> = {};
  if (options.help) return { options, path, query, header };
  for (const [attribute, p] of parameters) {
    const value = values[attribute];
    if (value === undefined) {
      if (p.required) throw new UsageError(`missing --${p.flag} (${p.in} parameter ${p.name}, ${p.type}); see ${service === undefined ? op.name : `glp ${service} ${op.name}`} --help`);
      continue;
    }
    if (p.in === "path") path[p.name] = value as Scalar;
    else if (p.in === "query") query[p.name] = value;
    else header[p.name] = Array.isArray(value) ? value.join(",") : typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  if (options.allTenants && options.tenant !== undefined) throw new UsageError("--tenant and --all-tenants exclude each other");
  if (options.maxItems !== undefined && !options.all) throw new UsageError("--max-items needs --all");
  if (options.all && !op.paginated) throw new UsageError(`--all: ${op.name} is not a paginated list operation`);
  if ((options.data !== undefined || options.set.length > 0) && op.body === undefined) throw new UsageError(`${op.name} takes no request body (--data/--set)`);
  return { options, path, query, header };
}

/** The request body from `--data` (JSON, @file, or - for stdin) and `--set key.path=value` pairs. */
import { readFile } from "node:fs/promises";
import { decimalNumber } from "./args.js";
import { UsageError } from "./exit-codes.js";
import type { CliBody, Scalar } from "./metadata.js";

const FORBIDDEN_KEYS = new Set(["__proto__", "prototype", "constructor"]);

async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

export async function readData(data: string, stdin: AsyncIterable<Uint8Array | string>): Promise<unknown> {
  let text: string;
  let source: string;
  if (data === "-") {
    text = await readAll(stdin);
    source = "stdin";
  } else if (data.startsWith("@")) {
    source = data.slice(1);
    try {
      text = await readFile(source, "utf8");
    } catch (error) {
      throw new UsageError(`--data ${data}: cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  } else {
    text = data;
    source = "the argument";
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--data: ${source} is not valid JSON (${(error as Error).message})`);
  }
}

/** A `--set` value of a field the document does not describe: JSON when it parses as JSON, else the text itself. */
function untypedValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

const RULES: Record<string, string> = {
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  object: "a JSON object",
  string: "text",
};

/** One value of a field's (item) type, converted from what the user typed and checked against the type and enum. */
export function convertValue(raw: string, type: string, allowed: readonly Scalar[] | undefined, field: string): unknown {
  const fail = (rule: string): never => {
    throw new UsageError(`--set ${field}: ${rule}; nothing was sent`);
  };
  let value: unknown;
  switch (type) {
    case "integer":
      if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) fail(`the field is an integer: expected ${RULES.integer}`);
      value = Number(raw);
      break;
    case "number":
      value = decimalNumber(raw);
      if (value === undefined) fail(`the field is a number: expected ${RULES.number}`);
      break;
    case "boolean":
      if (raw !== "true" && raw !== "false") fail(`the field is a boolean: expected ${RULES.boolean}`);
      value = raw === "true";
      break;
    case "object": {
      const parsed = untypedValue(raw);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) fail(`the field is an object: expected ${RULES.object}`);
      value = parsed;
      break;
    }
    case "string":
      value = raw;
      break;
    default:
      value = untypedValue(raw);
  }
  if (allowed !== undefined && allowed.length > 0 && !allowed.some((a) => a === value)) {
    fail(`expected one of ${allowed.map(String).join(", ")}`);
  }
  return value;
}

/** Items of an array field: a JSON array, or a comma-separated list, each item converted to the item type. */
function arrayItems(raw: string, itemType: string, allowed: readonly Scalar[] | undefined, field: string): unknown[] {
  if (raw.trimStart().startsWith("[")) {
    const parsed = untypedValue(raw);
    if (!Array.isArray(parsed)) throw new UsageError(`--set ${field}: the field is an array: expected a JSON array or a comma-separated list`);
    return parsed.map((item) => (typeof item === "string" ? convertValue(item, itemType, allowed, field) : convertValue(JSON.stringify(item), itemType, allowed, field)));
  }
  if (raw === "") return [];
  return raw.split(",").map((item) => convertValue(itemType === "string" ? item : item.trim(), itemType, allowed, field));
}

/**
 * Applies one `--set key.path=value`. A top-level field the document types is converted and
 * checked (numbers, booleans, enums, objects; arrays from a comma list, a JSON array, or the
 * flag repeated: `appending` holds the array fields already set by this command line).
 */
export function applySet(body: unknown, assignment: string, spec: CliBody, appending: Set<string> = new Set()): Record<string, unknown> {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new UsageError(`--set ${JSON.stringify(assignment)}: expected key=value (nested keys with dots, e.g. address.city=Paris)`);
  const keys = assignment.slice(0, eq).split(".");
  if (keys.some((k) => k === "" || FORBIDDEN_KEYS.has(k))) throw new UsageError(`--set ${JSON.stringify(assignment.slice(0, eq))}: not a usable key path`);
  const top = spec.fields.find((f) => f.name === keys[0]);
  if (spec.fields.length > 0 && top === undefined) {
    throw new UsageError(`--set ${keys[0]}: the body has no field "${keys[0]}"; fields: ${spec.fields.map((f) => f.name).join(", ")}`);
  }
  const root: Record<string, unknown> = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  let target = root;
  for (const key of keys.slice(0, -1)) {
    const next = target[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) target[key] = {};
    target = target[key] as Record<string, unknown>;
  }
  const raw = assignment.slice(eq + 1);
  const name = keys[keys.length - 1]!;
  if (keys.length > 1 || top === undefined) {
    target[name] = untypedValue(raw);
  } else if (top.type.startsWith("array<")) {
    const items = arrayItems(raw, top.type.slice(6, -1), top.enum, top.name);
    const earlier = appending.has(name) && Array.isArray(target[name]) ? (target[name] as unknown[]) : [];
    target[name] = [...earlier, ...items];
    appending.add(name);
  } else {
    target[name] = convertValue(raw, top.type, top.enum, top.name);
  }
  return root;
}

export async function buildBody(
  spec: CliBody | undefined,
  data: string | undefined,
  sets: readonly string[],
  stdin: AsyncIterable<Uint8Array | string>,
): Promise<unknown> {
  if (spec === undefined) return undefined;
  let body = data === undefined ? undefined : await readData(data, stdin);
  if (sets.length > 0 && body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) {
    throw new UsageError("--set needs --data to be a JSON object (or no --data)");
  }
  const appending = new Set<string>();
  for (const assignment of sets) body = applySet(body, assignment, spec, appending);
  if (body === undefined && spec.required) throw new UsageError(`this operation needs a body: --data <json|@file|-> or --set field=value (fields: ${spec.fields.map((f) => f.name).join(", ") || "see the document"})`);
  return body;
}

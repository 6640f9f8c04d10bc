/** The request body from `--data` (JSON, @file, or - for stdin) and `--set key.path=value` pairs. */
import { readFile } from "node:fs/promises";
import { UsageError } from "./exit-codes.js";
import type { CliBody } from "./metadata.js";

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

/** A `--set` value: JSON when it parses as JSON (numbers, booleans, objects), else the text itself. */
function setValue(raw: string, fieldType: string | undefined): unknown {
  if (fieldType === "string") return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export function applySet(body: unknown, assignment: string, spec: CliBody): Record<string, unknown> {
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
  target[keys[keys.length - 1]!] = setValue(assignment.slice(eq + 1), keys.length === 1 ? top?.type : undefined);
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
  for (const assignment of sets) body = applySet(body, assignment, spec);
  if (body === undefined && spec.required) throw new UsageError(`this operation needs a body: --data <json|@file|-> or --set field=value (fields: ${spec.fields.map((f) => f.name).join(", ") || "see the document"})`);
  return body;
}

/** Help text: the command overview, a service's operations by tag, and one operation in full. */
import type { CliIndex, CliOperation, CliParameter, CliService } from "./metadata.js";

/** Options every operation takes (docs/cli.md describes each). */
export const GLOBAL_OPTIONS: readonly [string, string][] = [
  ["-o, --output <format>", "table, json, jsonl, yaml or csv (default: table on a terminal, json when piped)"],
  ["--columns <list>", "columns for table and csv, e.g. id,name,hardware.model"],
  ["--raw", "print the whole response body, not just its items"],
  ["--all", "page through every item (list operations), streaming as pages arrive"],
  ["--max-items <n>", "stop after n items (with --all)"],
  ["--concurrency <n>", "pages fetched at once once the total is known (with --all; default 4)"],
  ["--filter <odata>", "OData filter, for operations that take one"],
  ["--data <json|@file|->", "request body: JSON text, @file.json, or - for stdin"],
  ["--set <key=value>", "set a body field (dots for nested keys); repeatable"],
  ["--wait", "follow 202 + Location async operations and Compute Ops Management jobs to the end"],
  ["--profile <name>", "saved profile to use (glp login); default: GREENLAKE_* variables, else the profile \"default\""],
  ["--region <name>", "region of a regional service (us-west, eu-west, eu-central, ap-northeast)"],
  ["--tenant <workspace-id>", "act in an MSP tenant's workspace (token exchange)"],
  ["--all-tenants", "run in every MSP tenant, each result tagged with its tenant"],
  ["--tenant-concurrency <n>", "tenants run at once with --all-tenants (default 4)"],
  ["--mock", "run against the package's local mocks (no workspace needed)"],
  ["--no-progress", "no progress line or spinner on stderr"],
  ["-v, --verbose", "log requests and responses on stderr (never secrets)"],
  ["-h, --help", "this help"],
];

function pad(rows: readonly [string, string][], indent = "  ", widest = Math.max(...rows.map(([a]) => a.length))): string[] {
  const width = Math.min(34, widest);
  return rows.map(([a, b]) => (a.length > width ? `${indent}${a}\n${indent}${" ".repeat(width + 2)}${b}` : `${indent}${a.padEnd(width)}  ${b}`));
}

export function mainHelp(version: string, index: CliIndex): string {
  const services = Object.entries(index).map(([s, ops]) => [s, `${ops.length} operations`] as [string, string]);
  const total = Object.values(index).reduce((n, ops) => n + ops.length, 0);
  return [
    `glp ${version}: every HPE GreenLake operation (${total}) from the terminal`,
    "",
    "Usage:",
    "  glp <service> <operation> [options]   call an operation",
    "  glp <service> --help                  list a service's operations",
    "  glp <service> <operation> --help      parameters, body fields and paging of one operation",
    "  glp login [--profile name]            save a profile (client id, workspace, region; secret never echoed)",
    "  glp whoami [--profile name]           workspace, region and token expiry",
    "  glp logout [--profile name]           forget the profile's cached token",
    "  glp completion bash|zsh               print a shell completion script",
    "  glp mocks start [services...]         local stateful mocks that last until glp mocks stop (glp help mocks)",
    "  glp webhooks verify --body file ...   check a saved webhook delivery's signature (secret from stdin, env or a command)",
    "  glp help [topic]                      a topic of the manual: exit-codes, credentials, output, mocks, ...",
    "",
    "Services:",
    ...pad(services),
    "",
    "Options of every operation:",
    ...pad(GLOBAL_OPTIONS),
    "",
    "Environment: GREENLAKE_CLIENT_ID, GREENLAKE_CLIENT_SECRET, GREENLAKE_WORKSPACE_ID, GREENLAKE_REGION,",
    "GREENLAKE_TOKEN_URL, GREENLAKE_BASE_URL, GREENLAKE_TOKEN, GLP_PROFILE. Exit codes: glp help exit-codes.",
    "",
  ].join("\n");
}

export function serviceHelp(service: CliService): string {
  const byTag = new Map<string, CliOperation[]>();
  for (const op of service.operations) {
    const tag = op.tags[0] ?? "other";
    const list = byTag.get(tag) ?? [];
    list.push(op);
    byTag.set(tag, list);
  }
  const lines = [`glp ${service.service}: ${service.operations.length} operations (regions: ${service.regions.join(", ")})`, "", `Usage: glp ${service.service} <operation> [options]`];
  // One column width for the whole service, so every group lines up.
  const widest = Math.max(...service.operations.map((op) => op.name.length));
  for (const [tag, ops] of byTag) {
    lines.push("", `${tag}:`);
    lines.push(...pad(ops.map((op) => [op.name, `${op.method.toUpperCase()} ${op.path}${op.deprecated ? " (deprecated)" : ""}${op.summary ? `  ${op.summary}` : ""}`] as [string, string]), "  ", widest));
  }
  lines.push("", `Details of one: glp ${service.service} <operation> --help`, "");
  return lines.join("\n");
}

export function valueName(p: { type: string }): string {
  return p.type.startsWith("array<") ? `${p.type.slice(6, -1)},...` : p.type;
}

function describeParameter(p: CliParameter): string {
  const facts = [`${p.in} ${p.name}`, p.type];
  if (p.required) facts.push("required");
  if (p.enum) facts.push(`one of ${p.enum.map(String).join("|")}`);
  if (p.default !== undefined && p.default !== "") facts.push(`default ${JSON.stringify(p.default)}`);
  if (p.deprecated) facts.push("deprecated");
  return `${facts.join(", ")}${p.description ? `. ${p.description}` : ""}`;
}

export function operationHelp(service: CliService, op: CliOperation): string {
  const lines = [`glp ${service.service} ${op.name}${op.deprecated ? "  (DEPRECATED: the document marks this operation deprecated)" : ""}`];
  if (op.summary) lines.push(`  ${op.summary}`);
  lines.push("", `  ${op.method.toUpperCase()} ${op.path}`, `  operationId ${op.operationId}; tags: ${op.tags.join(", ")}`);
  if (op.paginated) lines.push("  paginated: --all pages through every item");
  lines.push("", "Parameters:");
  if (op.parameters.length === 0) lines.push("  (none)");
  else lines.push(...pad(op.parameters.map((p) => [`--${p.flag} <${valueName(p)}>`, describeParameter(p)] as [string, string])));
  if (op.body) {
    lines.push("", `Body (${op.body.mediaType}, ${op.body.type}${op.body.required ? ", required" : ""}): --data <json|@file|-> or --set field=value`);
    if (op.body.fields.length === 0) lines.push("  (no fields listed by the document)");
    for (const f of op.body.fields) {
      lines.push(`  ${f.name}: ${f.type}${f.required ? ", required" : ""}${f.enum ? `, one of ${f.enum.map(String).join("|")}` : ""}`);
    }
  }
  lines.push("", "Options of every operation: glp --help", "");
  return lines.join("\n");
}

/** `## Exit codes` -> `exit-codes`. */
export function topicName(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** The manual (docs/cli.md) cut into its `## ` sections, by topic name, in order. */
export function manualTopics(markdown: string): Map<string, string> {
  const topics = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (name !== undefined) topics.set(name, `${lines.join("\n").trimEnd()}\n`);
  };
  for (const line of markdown.split(/\r?\n/)) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) {
      flush();
      name = topicName(heading[1]!);
      lines = [line];
    } else if (name !== undefined) {
      lines.push(line);
    }
  }
  flush();
  return topics;
}

export function topicList(topics: ReadonlyMap<string, string>): string {
  return ["Topics of the manual (docs/cli.md in the package): glp help <topic>", "", ...[...topics.keys()].map((t) => `  ${t}`), ""].join("\n");
}

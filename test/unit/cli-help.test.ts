/**
 * `glp <service> <operation> --help` for every operation of every document:
 * each lists exactly the document's path, query and header parameters (read
 * here straight from the corrected documents), with their required-ness and
 * enum values, and deprecated operations say so.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../generated/services/index.js";
import { findOperation, loadIndex, loadService } from "../../src/cli/catalog.js";
import { operationHelp, serviceHelp } from "../../src/cli/help.js";
import { run } from "../../src/cli/run.js";
import { memoryIo } from "./support/cli-io.js";

type Json = Record<string, any>;
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

function resolve(document: Json, value: any): any {
  const seen = new Set<string>();
  while (value && typeof value.$ref === "string" && value.$ref.startsWith("#/") && !seen.has(value.$ref)) {
    seen.add(value.$ref);
    value = value.$ref
      .slice(2)
      .split("/")
      .reduce((node: any, key: string) => node?.[decodeURIComponent(key).replaceAll("~1", "/").replaceAll("~0", "~")], document);
  }
  return value;
}

interface DocParameter {
  in: string;
  name: string;
  required: boolean;
  enum?: unknown[];
}

/** Path-level parameters overridden by operation-level ones of the same name and location. */
function documentParameters(document: Json, pathItem: Json, operation: Json): DocParameter[] {
  const byKey = new Map<string, DocParameter>();
  for (const raw of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]) {
    const p = resolve(document, raw);
    if (!["path", "query", "header"].includes(p.in)) continue;
    const schema = resolve(document, p.schema ?? {});
    const values = schema.enum ?? resolve(document, schema.items ?? {}).enum;
    byKey.set(`${p.in} ${p.name}`, { in: p.in, name: p.name, required: p.in === "path" || p.required === true, ...(values ? { enum: values.filter((v: unknown) => v !== null) } : {}) });
  }
  return [...byKey.values()];
}

/** The parameter lines of a help text: `--flag <type>  <in> <name>, <facts>`. */
function listedParameters(help: string): { in: string; name: string; facts: string }[] {
  const section = help.split("\nParameters:\n")[1]!.split("\n\n")[0]!;
  if (section.trim() === "(none)") return [];
  return [...section.matchAll(/--[\w.-]+(?: <[^>]+>| \[boolean\])\s+(path|query|header) (\S+?), ([^\n]*)/g)].map((m) => ({ in: m[1]!, name: m[2]!, facts: m[3]! }));
}

const documentsDir = join(import.meta.dirname, "../../generated/openapi");

describe("glp help", () => {
  it("lists exactly each document's parameters for all operations", async () => {
    let checked = 0;
    for (const service of serviceKeys) {
      const cli = await loadService(service);
      for (const key of serviceMetadata[service].documents) {
        const document = JSON.parse(readFileSync(join(documentsDir, `${key}.json`), "utf8")) as Json;
        for (const [path, pathItem] of Object.entries(document.paths as Json)) {
          for (const method of METHODS) {
            const operation = pathItem[method];
            if (!operation) continue;
            const op = cli.operations.find((o) => o.method === method && o.path === path);
            expect(op, `${service}: ${method.toUpperCase()} ${path} has a command`).toBeDefined();
            expect(findOperation(cli, op!.name)).toBe(op);
            const help = operationHelp(cli, op!);
            expect(help).toContain(`${method.toUpperCase()} ${path}`);
            const expected = documentParameters(document, pathItem, operation);
            const listed = listedParameters(help);
            const where = `${service} ${op!.name}`;
            expect(listed.map((p) => `${p.in} ${p.name}`).sort(), where).toEqual(expected.map((p) => `${p.in} ${p.name}`).sort());
            for (const p of expected) {
              const line = listed.find((l) => l.in === p.in && l.name === p.name)!;
              expect(/(^|, )required(,|\.|$)/.test(line.facts), `${where} --${p.name} required`).toBe(p.required);
              if (p.enum && p.enum.length > 0) expect(line.facts, `${where} --${p.name} enum`).toContain(`one of ${p.enum.map(String).join("|")}`);
            }
            expect(help.includes("DEPRECATED"), `${where} deprecated`).toBe(operation.deprecated === true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(918);
  });

  it("lists every operation of a service under the document's tags", async () => {
    const index = await loadIndex();
    for (const service of serviceKeys) {
      const cli = await loadService(service);
      const help = serviceHelp(cli);
      for (const op of cli.operations) {
        expect(help).toContain(`${op.tags[0]}:`);
        expect(help).toMatch(new RegExp(`\\n  ${op.name}\\s+${op.method.toUpperCase()} `));
      }
      expect(index[service]).toEqual(cli.operations.map((o) => o.name));
    }
    expect(Object.values(index).flat()).toHaveLength(918);
  });

  it("prints operation help through the command line, without credentials", async () => {
    const io = memoryIo();
    expect(await run(["compute-ops-mgmt", "get-v1-servers", "--help"], io)).toBe(0);
    expect(io.out()).toContain("GET /compute-ops-mgmt/v1/servers");
    expect(io.out()).toContain("--filter <string>");
    expect(io.err()).toBe("");
  });
});

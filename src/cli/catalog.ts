/** The generated command-line metadata, loaded per service on first use. */
import type { CliIndex, CliOperation, CliService } from "./metadata.js";
import { regionIgnoredMessage, regionNotServedError, unknownRegionError } from "../errors.js";
import { UsageError } from "./exit-codes.js";

let indexPromise: Promise<{ index: CliIndex; regions: readonly string[] }> | undefined;

function loadIndexModule(): Promise<{ index: CliIndex; regions: readonly string[] }> {
  return (indexPromise ??= import("../../generated/cli/index.js") as Promise<{ index: CliIndex; regions: readonly string[] }>);
}

export async function loadIndex(): Promise<CliIndex> {
  return (await loadIndexModule()).index;
}

/** Every region any service is served in, from the generated metadata. */
export async function loadRegions(): Promise<readonly string[]> {
  return (await loadIndexModule()).regions;
}

/**
 * Checks a region against the service before anything is sent: a name no service
 * knows, and a region this service is not served in, are errors listing what is
 * valid; a region given to a global service is not used, and the returned warning says so.
 */
export function checkRegion(service: CliService, region: string | undefined, known: readonly string[], setting: string): string | undefined {
  if (region === undefined) return undefined;
  if (!known.includes(region)) throw unknownRegionError(region, known, setting);
  const served = service.regions.filter((r) => r !== "global");
  if (served.length === 0) return regionIgnoredMessage(service.service, region);
  if (!served.includes(region)) throw regionNotServedError(service.service, region, served, setting);
  return undefined;
}

export async function serviceKeys(): Promise<string[]> {
  return Object.keys(await loadIndex());
}

/** Closest known names first, for "did you mean" hints. */
export function suggest(input: string, known: readonly string[]): string[] {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = row[j]!;
        row[j] = next;
      }
    }
    return row[b.length]!;
  };
  const contains = known.filter((k) => input.length >= 3 && k.includes(input));
  const near = known.filter((k) => distance(input, k) <= Math.max(2, Math.floor(k.length / 4)));
  return [...new Set([...near, ...contains])].slice(0, 5);
}

export async function loadService(service: string): Promise<CliService> {
  const index = await loadIndex();
  if (!Object.hasOwn(index, service)) {
    const hint = suggest(service, Object.keys(index));
    throw new UsageError(`unknown service "${service}"${hint.length > 0 ? `; did you mean ${hint.join(", ")}?` : ""} (glp --help lists them)`);
  }
  // One module per service: a command loads only the metadata of the service it names.
  // A variable specifier: bundlers and test runners would otherwise try to expand the template themselves.
  const specifier = `../../generated/cli/${service}.js`;
  const module = (await import(/* @vite-ignore */ specifier)) as { cli: CliService };
  return module.cli;
}

/** By command name, operationId, or operationId in kebab-case. */
export function findOperation(service: CliService, name: string): CliOperation {
  const op = service.operations.find((o) => o.name === name || o.operationId === name);
  if (op !== undefined) return op;
  const hint = suggest(name, service.operations.map((o) => o.name));
  throw new UsageError(
    `unknown operation "${name}" of ${service.service}${hint.length > 0 ? `; did you mean ${hint.join(", ")}?` : ""} (glp ${service.service} --help lists them)`,
  );
}

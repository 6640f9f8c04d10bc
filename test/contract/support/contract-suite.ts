/**
 * The contract suite, generated from the service metadata: one test per
 * operation that calls it through the SDK with a request built from its
 * document, asserts Prism accepted it and validates the answer against the
 * document's response schema.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { serviceMetadata, type ServiceKey } from "../../../generated/services/index.js";
import { GreenLake, type OperationMetadata } from "../../../src/index.js";
import { accepted, exerciseOperation, type Outcome } from "./call-operation.js";
import { mockClientOptions } from "./endpoints.js";
import { operationKey, upstreamDefects } from "./upstream-defects.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Folder where each suite leaves its tally for the global teardown's all-services line. */
    contractTallyDir: string;
  }
}

export interface SuiteTally {
  readonly label: string;
  readonly total: number;
  readonly covered: number;
  /** Operations no valid request can get through Prism, with the reason. */
  readonly unservable: ReadonlyArray<{ operation: string; reason: string }>;
  /** Operations answered from the response schema because the document's example breaks it. */
  readonly exampleDefects: ReadonlyArray<{ operation: string; problem: string }>;
  readonly tolerated: ReadonlyArray<{ operation: string; reason: string }>;
}

function describeFailure(outcome: Outcome): string {
  return [outcome.error, ...outcome.requestViolations].filter(Boolean).join("; ");
}

/** Defines one test per operation of `services`, and prints `contract coverage: N/<total> operations` at the end. */
export function defineContractSuite(label: string, services: readonly ServiceKey[], expectedTotal?: number): void {
  const operations = services.flatMap((service) => (serviceMetadata[service].operations as readonly OperationMetadata[]).map((operation) => ({ service, operation })));
  const covered = new Set<string>();
  const unservable: Array<{ operation: string; reason: string }> = [];
  const exampleDefects: Array<{ operation: string; problem: string }> = [];
  const tolerated: Array<{ operation: string; reason: string }> = [];
  let gl: GreenLake | undefined;
  const client = () => (gl ??= new GreenLake(mockClientOptions()));

  describe.concurrent(`contract: ${label}`, () => {
    if (expectedTotal !== undefined) {
      it("covers every operation the metadata lists", () => {
        expect(operations.length).toBe(expectedTotal);
      });
    }

    for (const { service, operation } of operations) {
      const key = operationKey(operation.method, operation.path);
      const defect = upstreamDefects[key];
      it(`${service}: ${key}`, async () => {
        const { outcome, exampleProblems } = await exerciseOperation(client(), service, operation);
        if (exampleProblems.length > 0) exampleDefects.push({ operation: key, problem: exampleProblems[0]! });

        if (defect?.kind === "unservable") {
          expect(accepted(outcome) && outcome.responseProblems.length === 0, `${key} now passes; remove it from upstream-defects.ts`).toBe(false);
          expect(describeFailure(outcome)).toMatch(defect.problems);
          unservable.push({ operation: key, reason: defect.reason });
          return;
        }

        expect(outcome.error, "the SDK call failed").toBeUndefined();
        expect(outcome.requestViolations, "Prism rejected the request").toEqual([]);
        expect(outcome.status).toBeGreaterThanOrEqual(200);
        expect(outcome.status).toBeLessThan(300);
        const untolerated = outcome.responseProblems.filter((p) => !defect?.problems.test(p));
        expect(untolerated, "the response breaks the document's schema").toEqual([]);
        if (defect !== undefined) {
          expect(outcome.responseProblems.length, `${key} now validates; remove it from upstream-defects.ts`).toBeGreaterThan(0);
          tolerated.push({ operation: key, reason: defect.reason });
        }
        covered.add(key);
      });
    }
  });

  afterAll(() => {
    const total = operations.length;
    console.log(`contract coverage: ${covered.size}/${total} operations (${label}; ${tolerated.length} with a listed upstream schema defect tolerated)`);
    const tally: SuiteTally = { label, total, covered: covered.size, unservable, exampleDefects, tolerated };
    const dir = inject("contractTallyDir");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${label.replace(/[^a-z0-9-]+/gi, "-")}.json`), JSON.stringify(tally));
  });
}

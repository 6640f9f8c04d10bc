/**
 * The order vitest starts test files in: the longest first, whatever their project, so that the last
 * minutes of a run are short files filling every worker rather than one long file holding the run
 * open while the other workers idle. vitest's own order runs projects one after another (cli, contract,
 * faults, pipeline, unit) and, without the results of an earlier run (a fresh clone, CI), larger files
 * first; that left the demo and fleet files, the longest, starting half way through.
 *
 * The list is a hint, not a rule: a file missing from it keeps vitest's order after the listed ones,
 * and a stale entry costs only time. The figures are seconds measured on a quiet 2-core machine.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

const LONGEST_FIRST: readonly (readonly [file: string, seconds: number])[] = [
  ["test/cli/glp-mocks.test.ts", 21],
  ["test/faults/demo.test.ts", 20],
  ["test/faults/fleet.test.ts", 18],
  ["test/contract/cli-scenarios.test.ts", 16],
  ["test/faults/sdk-under-faults.test.ts", 7],
  ["test/contract/stateful/consistency.property.test.ts", 6],
  ["test/unit/cli-run.test.ts", 6],
  ["test/contract/operations.test.ts", 6],
  ["test/faults/pacing.test.ts", 5],
  ["test/unit/object-bodies.test.ts", 4.5],
  ["test/cli/terminal.test.ts", 4.5],
  ["test/contract/stateful/lifecycles.test.ts", 4],
  ["test/contract/harness.test.ts", 4],
  ["test/unit/cli-terminal.test.ts", 4],
  ["test/contract/docs-examples.test.ts", 4],
  ["test/unit/token-timeout.test.ts", 3.5],
  ["test/faults/mocks-under-faults.test.ts", 3],
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const rank = (spec: TestSpecification) => {
      const relative = spec.moduleId.startsWith(`${root}/`) ? spec.moduleId.slice(root.length + 1) : spec.moduleId;
      const i = LONGEST_FIRST.findIndex(([file]) => file === relative);
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: unlisted files keep vitest's order among themselves.
    return sorted.map((spec, i) => ({ spec, i, rank: rank(spec) })).sort((a, b) => a.rank - b.rank || a.i - b.i).map(({ spec }) => spec);
  }
}

/**
 * A call that gives up on a shared promise (its signal already aborted) must
 * still observe it: when that promise later rejects with nobody else waiting,
 * Node would otherwise end the user's process with an unhandled rejection.
 */
import fc from "fast-check";
import { afterEach, beforeEach, expect, it } from "vitest";
import { untilAborted } from "../../src/internal/timeouts.js";

let unhandled: unknown[] = [];
const record = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", record);
});
afterEach(() => void process.off("unhandledRejection", record));

const turn = () => new Promise((resolve) => setImmediate(resolve));

it("leaves no unhandled rejection however the signal and the promise end (property-based)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.boolean(), fc.string(), async (abortedBefore, rejects, message) => {
      unhandled = [];
      const controller = new AbortController();
      if (abortedBefore) controller.abort(new Error("caller left"));
      let settle!: () => void;
      const shared = new Promise<string>((resolve, reject) => {
        settle = () => (rejects ? reject(new Error(message)) : resolve(message));
      });
      const waiting = untilAborted(shared, controller.signal).catch((e: unknown) => e);
      if (!abortedBefore) controller.abort(new Error("caller left"));
      await waiting;
      settle();
      await turn();
      await turn();
      expect(unhandled).toEqual([]);
    }),
    { numRuns: 50 },
  );
});

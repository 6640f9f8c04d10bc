/**
 * The time the mocks' webhook delivery runs on: the real one, or a manual
 * clock a test moves forward, so three challenge attempts within 10 s or a
 * retry after 30 s take no real time and no verdict depends on a machine's speed.
 */
export interface MockClock {
  now(): number;
  /** Calls `callback` once `ms` have passed on this clock; returns what cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

export const realClock: MockClock = {
  now: () => Date.now(),
  schedule(ms, callback) {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

export interface ManualClock extends MockClock {
  /** When the next scheduled callback is due, if any. */
  nextDue(): number | undefined;
  /** Moves to `time` (never back), running every callback due by then, in time order. */
  advanceTo(time: number): void;
}

/** A clock that moves only when told; starts at `start` (ms since the epoch). */
export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let time = start;
  let sequence = 0;
  const timers = new Map<number, { due: number; callback: () => void }>();
  const next = () => {
    let found: [number, { due: number; callback: () => void }] | undefined;
    for (const entry of timers) if (found === undefined || entry[1].due < found[1].due) found = entry;
    return found;
  };
  return {
    now: () => time,
    schedule(ms, callback) {
      const id = sequence++;
      timers.set(id, { due: time + Math.max(0, ms), callback });
      return () => timers.delete(id);
    },
    nextDue: () => next()?.[1].due,
    advanceTo(target) {
      for (let entry = next(); entry !== undefined && entry[1].due <= target; entry = next()) {
        timers.delete(entry[0]);
        time = Math.max(time, entry[1].due);
        entry[1].callback();
      }
      time = Math.max(time, target);
    },
  };
}

/**
 * How the examples tell what they do: a heading per step and a few indented
 * lines under it, to the console or into memory for tests.
 */

export interface Narrator {
  /** Starts a step of the tour. */
  step(title: string): void;
  /** One line of what happened in the current step. */
  say(line: string): void;
}

export function consoleNarrator(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Narrator {
  let steps = 0;
  return {
    step(title) {
      steps += 1;
      write(`\n${steps}. ${title}`);
    },
    say(line) {
      write(`   ${line}`);
    },
  };
}

export interface RecordingNarrator extends Narrator {
  readonly lines: string[];
}

export function recordingNarrator(): RecordingNarrator {
  const lines: string[] = [];
  return {
    lines,
    step: (title) => lines.push(`# ${title}`),
    say: (line) => lines.push(line),
  };
}

/** Shortens long ids so a line stays readable. */
export function short(id: string | undefined, keep = 8): string {
  if (id === undefined) return "(none)";
  return id.length <= keep + 1 ? id : `${id.slice(0, keep)}…`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** A one-line progress report and a spinner on stderr, drawn only when stderr is a terminal. */
import { oneLine, safeTerminal, type TerminalStream } from "./terminal-text.js";

export type { TerminalStream };

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export interface Progress {
  page(items: number, total: number | undefined): void;
  /** Erases the line before items are printed, so they never land on it when stdout is the same terminal. */
  clear(): void;
  done(): void;
}

const quiet: Progress = { page: () => {}, clear: () => {}, done: () => {} };

export function listingProgress(stream: TerminalStream, enabled: boolean, now: () => number = Date.now): Progress {
  if (!enabled || !stream.isTTY) return quiet;
  const stderr = safeTerminal(stream);
  const started = now();
  let items = 0;
  let pages = 0;
  let drawn = false;
  return {
    page(count, total) {
      items += count;
      pages++;
      const seconds = Math.max((now() - started) / 1000, 0.001);
      const of = total === undefined ? "" : ` / ${total.toLocaleString("en-US")}`;
      const line = `${items.toLocaleString("en-US")}${of} items, ${pages} ${pages === 1 ? "page" : "pages"}, ${Math.round(items / seconds).toLocaleString("en-US")} items/s`;
      stderr.clearLine();
      stderr.write(line.slice(0, Math.max((stderr.columns ?? 80) - 1, 10)));
      drawn = true;
    },
    clear() {
      if (drawn) stderr.clearLine();
      drawn = false;
    },
    done() {
      if (drawn) stderr.clearLine();
    },
  };
}

/** Runs `work` with a spinner and elapsed seconds beside `label`. */
export async function withSpinner<T>(stream: TerminalStream, enabled: boolean, label: string, work: Promise<T>): Promise<T> {
  if (!enabled || !stream.isTTY) return work;
  const stderr = safeTerminal(stream);
  const started = Date.now();
  let frame = 0;
  const draw = () => {
    stderr.clearLine();
    stderr.write(`${FRAMES[frame++ % FRAMES.length]} ${oneLine(label)} ${Math.floor((Date.now() - started) / 1000)} s`);
  };
  draw();
  const timer = setInterval(draw, 100);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    stderr.clearLine();
  }
}

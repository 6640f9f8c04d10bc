/** Collects every log line and error message the suite produces, for the no-leak check. */
export const capturedText: string[] = [];

export function captureLogger() {
  const lines: string[] = [];
  const record = (level: string) => (message: string, ...rest: unknown[]) => {
    const line = `${level} ${message}${rest.length ? ` ${JSON.stringify(rest)}` : ""}`;
    lines.push(line);
    capturedText.push(line);
  };
  return { logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") }, lines };
}

/** Records an error's message, name, cause chain and enumerable fields. */
export function captureError(error: unknown): unknown {
  let e: unknown = error;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const err = e as Error & Record<string, unknown>;
    capturedText.push(`${err.name}: ${err.message}`);
    try {
      capturedText.push(JSON.stringify(err));
    } catch {
      // circular causes are covered by walking the chain
    }
    e = err.cause;
  }
  return error;
}

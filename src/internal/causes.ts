/** Reading an error's cause chain: the system's code (`ECONNREFUSED`, ...) and the innermost message. */

const MAX_DEPTH = 4;

/** The first string `code` along the cause chain. */
export function causeCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e !== null && typeof e === "object" && depth < MAX_DEPTH; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** The message of the innermost Error along the cause chain. */
export function innermostMessage(error: unknown): string {
  let message = "network error";
  for (let e = error, depth = 0; e instanceof Error && depth < MAX_DEPTH; e = e.cause, depth++) message = e.message;
  return message;
}

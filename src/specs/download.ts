/** Downloads one URL with a per-attempt timeout and a bounded retry of transient failures. */
import { AttemptDeadline, sleep } from "../internal/timeouts.js";

export interface DownloadOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  /** Attempts after the first one, for timeouts, connection errors, 429 and 5xx. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Stops the download (and any wait between attempts); it then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A download failure whose message is safe to print as-is. */
export class DownloadError extends Error {
  constructor(
    message: string,
    /** True when nothing answered (connection refused, DNS, timeout): a mirror may help. */
    readonly unreachable: boolean,
  ) {
    super(message);
    this.name = "DownloadError";
  }
}

export async function download(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 1_000;
  let lastError: DownloadError | undefined;
  const stop = options.signal;
  let attempts = 0;
  for (let attempt = 0; attempt <= retries; attempt++) {
    attempts = attempt + 1;
    if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1), stop);
    stop?.throwIfAborted();
    const limit = new AttemptDeadline(stop, timeoutMs);
    let response: Response;
    try {
      response = await fetchImpl(url, { signal: limit.signal, redirect: "follow" });
      if (response.ok) return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      stop?.throwIfAborted();
      lastError = toDownloadError(error, url, timeoutMs);
      // The resolver says the name does not exist (no DNS for it here): asking again in a second will not change that.
      if (errorCode(error) === "ENOTFOUND") break;
      continue;
    } finally {
      limit.clear();
    }
    await response.body?.cancel().catch(() => undefined);
    lastError = new DownloadError(`HTTP ${response.status} from ${describeUrl(url)}`, false);
    if (!isTransientStatus(response.status)) throw lastError;
  }
  throw new DownloadError(`${lastError?.message ?? "download failed"} after ${attempts} attempt${attempts === 1 ? "" : "s"}`, lastError?.unreachable ?? true);
}

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function toDownloadError(error: unknown, url: string, timeoutMs: number): DownloadError {
  const name = (error as { name?: string } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new DownloadError(`timed out after ${timeoutMs} ms waiting for ${describeUrl(url)}`, true);
  }
  const cause = (error as { cause?: { message?: string } } | null)?.cause;
  const detail = errorCode(error) ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  // Nothing answered: the host is the problem, not the document, so the origin says enough.
  return new DownloadError(`could not reach ${originOf(url)} (${detail})`, true);
}

/** The system error code fetch reports as its cause (`ECONNREFUSED`, `ENOTFOUND`), if any. */
function errorCode(error: unknown): string | undefined {
  return (error as { cause?: { code?: string } } | null)?.cause?.code;
}

/** Origin and path only: a query string could carry a credential. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "an invalid URL";
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "an invalid URL";
  }
}

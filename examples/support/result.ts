/** Takes the data out of an SDK call's result, failing loudly when the call failed. */

interface CallResult<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/**
 * Returns `data` of a successful call. Clients built with `throwOnError: true`
 * (as the examples build them) have already thrown; this covers those without.
 */
export async function succeeded<T>(call: Promise<CallResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    throw new Error(`${response.status} from ${new URL(response.url).pathname}`);
  }
  return data as T;
}

/** Runs one operation through the SDK: a single call, a paged listing (`--all`), and `--wait`. */
import { waitForAsyncOperation, waitForComJob } from "../async-operations.js";
import { paginatePages } from "../pagination.js";
import type { ServiceClient } from "../service-client.js";
import type { ParsedCall } from "./args.js";
import type { CliOperation } from "./metadata.js";
import { itemWriter, listIn, writeValue, type ItemWriter, type WriterOptions } from "./output.js";
import { listingProgress, withSpinner, type TerminalStream } from "./progress.js";

export interface OperationContext {
  readonly service: string;
  readonly op: CliOperation;
  readonly call: ParsedCall;
  readonly body: unknown;
  readonly signal: AbortSignal;
  readonly stderr: TerminalStream;
  readonly progress: boolean;
}

/** What a call produced: items of a list, or one value; `tag` is added to each for --all-tenants. */
export type Emit = (result: { items: readonly unknown[] } | { value: unknown }) => void;

type Requester = (method: string, path: string, init: unknown) => Promise<{ data?: unknown; response: Response }>;

function pagingOf(client: ServiceClient<any>, op: CliOperation) {
  return client.metadata.operations.find((o) => o.method === op.method && o.path === op.path)?.pagination;
}

function parseBody(text: string, response: Response): unknown {
  if (text === "") return undefined;
  if (/json/i.test(response.headers.get("content-type") ?? "")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * The path of a resource a create answered with only a `Location`: relative, or absolute
 * (only its path is used, so the call goes to the same server), within the operation's
 * own API (same first path segment), and one segment per part. Undefined when the body
 * already is the resource (it has an `id`) or the location is unusable.
 */
export function createdPath(op: CliOperation, location: string | null, body: unknown): string | undefined {
  if (location === null || location.length > 2000) return undefined;
  if (body !== null && typeof body === "object" && !Array.isArray(body) && "id" in body) return undefined;
  let path: string;
  try {
    path = new URL(location, "http://location.invalid").pathname;
  } catch {
    return undefined;
  }
  const segments = path.split("/").slice(1);
  if (segments.some((s) => s === "" || s === "." || s === ".." || /%2f|%5c|%2e%2e/i.test(s))) return undefined;
  if (segments.length < 2 || segments[0] !== op.path.split("/")[1]) return undefined;
  return path;
}

/** Whether the service documents a GET for `path`: only then is a created resource read back (anything else would be a 404). */
function hasDocumentedRead(client: ServiceClient<any>, path: string): boolean {
  const segments = path.split("/");
  return client.metadata.operations.some((o) => {
    if (o.method !== "get") return false;
    const template = o.path.split("/");
    return template.length === segments.length && template.every((t, i) => (t.startsWith("{") && t.endsWith("}")) || t === segments[i]);
  });
}

export async function runOn(client: ServiceClient<any>, ctx: OperationContext, emit: Emit): Promise<void> {
  const { op, call, signal } = ctx;
  const params = { path: call.path, query: call.query, header: call.header };
  if (call.options.all) {
    const paging = pagingOf(client, op);
    const progress = listingProgress(ctx.stderr, ctx.progress);
    let left = call.options.maxItems ?? Number.POSITIVE_INFINITY;
    try {
      for await (const page of paginatePages(client, op.path as never, { params, signal } as never, {
        concurrency: call.options.concurrency,
        ...(call.options.maxItems === undefined ? {} : { maxItems: call.options.maxItems }),
      })) {
        const items = (listIn(page, paging?.itemsField) ?? []).slice(0, left);
        left -= items.length;
        const total = paging?.totalField === undefined ? undefined : (page as Record<string, unknown>)[paging.totalField];
        progress.clear();
        emit({ items });
        progress.page(items.length, typeof total === "number" ? total : undefined);
        if (left <= 0) break;
      }
    } finally {
      progress.done();
    }
    return;
  }
  const request = client.request as unknown as Requester;
  const init = { params, signal, parseAs: "text", ...(ctx.body === undefined ? {} : { body: ctx.body }), ...(op.body && ctx.body !== undefined ? { headers: { "content-type": op.body.mediaType } } : {}) };
  const { data, response } = await request(op.method.toUpperCase(), op.path, init);
  let value = parseBody(typeof data === "string" ? data : "", response);
  if (call.options.wait) {
    if (response.status === 202 && response.headers.has("location")) {
      value = await withSpinner(ctx.stderr, ctx.progress, "waiting for the async operation", waitForAsyncOperation(client, response, { signal }));
    } else if (ctx.service === "compute-ops-mgmt" && op.method === "post" && /\/jobs$/.test(op.path) && typeof (value as { id?: unknown })?.id === "string") {
      value = await withSpinner(ctx.stderr, ctx.progress, "waiting for the job", waitForComJob(client, value as { id: string }, { signal }));
    } else if (ctx.stderr.isTTY) {
      ctx.stderr.write(`glp: --wait: the call answered ${response.status} with nothing to follow\n`);
    }
  }
  if (!call.options.wait && !call.options.raw && response.status === 201) {
    const created = createdPath(op, response.headers.get("location"), value);
    if (created !== undefined && hasDocumentedRead(client, created)) {
      // The answer says where the new resource is but not what it is: show it, as a create should.
      const followed = await request("GET", created, { signal, parseAs: "text" });
      value = parseBody(typeof followed.data === "string" ? followed.data : "", followed.response) ?? value;
    }
  }
  if (value === undefined) return;
  const items = call.options.raw ? undefined : listIn(value, pagingOf(client, op)?.itemsField);
  emit(items === undefined ? { value } : { items });
}

/** Writes what a call emits in the chosen format; a list streams. */
export function printer(out: TerminalStream, options: WriterOptions): { emit: Emit; end(): void } {
  let writer: ItemWriter | undefined;
  return {
    emit(result) {
      if ("items" in result) {
        writer ??= itemWriter(out, options);
        writer.items(result.items);
      } else if (typeof result.value === "string") {
        out.write(result.value.endsWith("\n") ? result.value : `${result.value}\n`);
      } else {
        writeValue(out, result.value, options);
      }
    },
    end: () => writer?.end(),
  };
}

/**
 * Model-based: any sequence of creates, updates and deletes through the SDK,
 * on any of the collections a client can create in, read and delete from,
 * leaves the mocks agreeing with the sequence: every list shows exactly the
 * items the model holds, every item reads back (times in order), a deleted
 * item and its sub-resources answer 404, and a repeated name or email is a
 * 409 where the document declares one.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { serviceKeys, serviceMetadata } from "../../../generated/services/index.js";
import { GreenLake, type OperationMetadata } from "../../../src/index.js";
import { type Mocks } from "../../../src/testing/index.js";
import { startSharedMocks } from "../support/shared-prism.js";
import { buildRequest } from "../support/build-request.js";
import { DocumentSchemas } from "../../../src/testing/schemas.js";
import { join } from "node:path";
import { projectRoot } from "../../../scripts/lib/paths.js";
import { CONSISTENCY_RUNS } from "../../scope.js";

const documents = new Map<string, DocumentSchemas>();
function declares409(op: OperationMetadata): boolean {
  let doc = documents.get(op.document);
  if (doc === undefined) documents.set(op.document, (doc = DocumentSchemas.load(join(projectRoot, "generated", "openapi", `${op.document}.json`))));
  const paths = doc.document.paths as Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  return paths[op.path]?.[op.method]?.responses?.["409"] !== undefined;
}

const SERVICES = ["identity", "authorization", "compute-ops-mgmt", "event", "location-management"] as const;
// npm test runs a few sequences, test:all the sweep (test/scope.ts).
const RUNS = CONSISTENCY_RUNS[inject("greenlakeTestScope")];

const all = serviceKeys.flatMap((service) => (serviceMetadata[service].operations as readonly OperationMetadata[]).map((op) => ({ service, op })));
const find = (method: string, path: string) => all.find(({ op }) => op.method === method && op.path === path);

interface Collection {
  readonly service: string;
  readonly path: string;
  readonly create: OperationMetadata;
  readonly item: string;
  readonly update: OperationMetadata | undefined;
  /** GET templates under the item (`/x/{id}/sub`), read after a delete. */
  readonly children: readonly string[];
  readonly declares409: boolean;
}

const candidates: Collection[] = all
  .filter(({ service, op }) => (SERVICES as readonly string[]).includes(service) && op.method === "post" && !op.path.includes("{") && find("get", op.path) !== undefined)
  .flatMap(({ service, op }) => {
    const item = all.find(({ op: o }) => o.method === "get" && o.path.startsWith(`${op.path}/{`) && o.path.split("/").length === op.path.split("/").length + 1)?.op.path;
    if (item === undefined || find("delete", item) === undefined) return [];
    const update = find("patch", item)?.op ?? find("put", item)?.op;
    const children = all.filter(({ op: o }) => o.method === "get" && o.path.startsWith(`${item}/`) && !o.path.slice(item.length + 1).includes("{")).map(({ op: o }) => o.path);
    return [{ service, path: op.path, create: op, item, update, children, declares409: declares409(op) }];
  });

type Call = (path: string, init: object) => Promise<{ response: Response; data?: unknown; error?: unknown }>;

let mocks: Mocks;
let gl: GreenLake;
let usable: Collection[] = [];
const tally = { creates: 0, conflicts: 0, updates: 0, deletes: 0, checks: 0 };

function client(service: string): Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Call> {
  return gl.service(service as never) as unknown as Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Call>;
}

function bodyOf(op: OperationMetadata, variant: number): { body: unknown; headers: Record<string, string> } {
  const built = buildRequest(op, "examples");
  let body = built.body as Record<string, unknown> | undefined;
  // A few distinct names and addresses, so creates both succeed and repeat one another.
  if (body !== undefined && typeof body === "object" && !Array.isArray(body)) {
    body = { ...body };
    if (typeof body.email === "string") body.email = `user${variant}@example.com`;
    if (typeof body.name === "string") body.name = `${body.name}${variant}`;
    if (typeof body.displayName === "string") body.displayName = `${body.displayName}${variant}`;
  }
  return { body, headers: { "content-type": built.contentType ?? "application/json" } };
}

type Item = Record<string, unknown>;

/** The item field the item path names: the path parameter itself when items carry it (`device-id`), else `id`. */
function idField(c: Collection, items: readonly Item[]): string {
  const param = /\{([^}]+)\}$/.exec(c.item)![1]!;
  const camel = param.replace(/[-_]([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  return [camel, param].find((f) => items.some((i) => f in i)) ?? "id";
}
const idOf = (c: Collection, items: readonly Item[]) => (item: Item) => String(item[idField(c, items)]);

/** The model: per collection, the items it must hold, by id. */
type Model = Map<string, Map<string, Item>>;

async function listAll(c: Collection): Promise<Item[]> {
  return mocks.state.collection(c.path);
}

async function readItem(c: Collection, id: string): Promise<{ status: number; data: Item | undefined }> {
  const path = c.item.replace(/\{[^}]+\}$/, encodeURIComponent(id));
  const param = /\{([^}]+)\}$/.exec(c.item)![1]!;
  const answer = await client(c.service).GET(c.item, { params: { path: { [param]: id } } }).catch((e: { status?: number }) => ({ response: { status: e.status ?? 0 } as Response, data: undefined }));
  void path;
  return { status: answer.response.status, data: answer.data as Item | undefined };
}

async function checkAgrees(model: Model, c: Collection): Promise<void> {
  tally.checks++;
  const expected = model.get(c.path)!;
  // Through the SDK: the first page, compared with what the model holds.
  const listed = await client(c.service).GET(c.path, { params: { query: buildRequest(find("get", c.path)!.op, "examples").params.query } });
  expect(listed.response.status, `GET ${c.path}`).toBe(200);
  const held = await listAll(c);
  const key = idOf(c, held);
  expect(new Set(held.map(key)), `${c.path} holds what the sequence left`).toEqual(new Set(expected.keys()));
  const page = ((listed.data as { items?: Item[] } | undefined)?.items ?? []).map(key);
  for (const id of page) expect(expected.has(id), `${c.path} lists ${id}, which the sequence removed or never made`).toBe(true);
  for (const id of [...expected.keys()].slice(-2)) {
    const read = await readItem(c, id);
    expect(read.status, `GET ${c.item} ${id}`).toBe(200);
    const item = held.find((i) => key(i) === id)!;
    if (typeof item.createdAt === "string" && typeof item.updatedAt === "string") expect(item.createdAt <= item.updatedAt, `${c.path}/${id} created after its update`).toBe(true);
  }
}

class CreateCommand implements fc.AsyncCommand<Model, unknown> {
  constructor(readonly at: number, readonly variant: number) {}
  check = () => usable.length > 0;
  async run(model: Model): Promise<void> {
    const c = usable[this.at % usable.length]!;
    const before = model.get(c.path)!;
    const { body, headers } = bodyOf(c.create, this.variant);
    const answer = await client(c.service).POST(c.path, { body, headers }).catch((e: { status?: number }) => ({ response: { status: e.status ?? 0 } as Response }));
    const after = await listAll(c);
    const key = idOf(c, after);
    const added = after.filter((i) => !before.has(key(i)));
    const status = answer.response.status;
    if (status === 409) {
      tally.conflicts++;
      expect(added, `a refused create of ${c.path} added something`).toEqual([]);
      const values = [...before.values()];
      const b = body as Item;
      const repeats = ["email", "username", "name", "serialNumber"].some((f) => typeof b[f] === "string" && values.some((v) => [v[f], f === "email" ? v.username : undefined].some((x) => typeof x === "string" && x.toLowerCase() === String(b[f]).toLowerCase())));
      expect(repeats, `409 for ${c.path} without a repeated name`).toBe(true);
    } else if (status < 300) {
      tally.creates++;
      expect(added.length, `POST ${c.path} added ${added.length} items`).toBe(1);
      before.set(key(added[0]!), added[0]!);
    } else {
      expect(added, `a failed create (${status}) of ${c.path} added something`).toEqual([]);
    }
    await checkAgrees(model, c);
  }
  toString = () => `create(${usable[this.at % usable.length]?.path}, ${this.variant})`;
}

/** The same create twice: the second is a 409 where the document declares one (a repeated name or email), else a second item. */
class RepeatCommand implements fc.AsyncCommand<Model, unknown> {
  constructor(readonly at: number, readonly variant: number) {}
  check = () => usable.length > 0;
  async run(model: Model): Promise<void> {
    const c = usable[this.at % usable.length]!;
    const first = new CreateCommand(this.at, this.variant + 10);
    await first.run(model);
    const before = tally.conflicts;
    await new CreateCommand(this.at, this.variant + 10).run(model);
    const b = bodyOf(c.create, this.variant + 10).body as Item | undefined;
    const named = b !== undefined && ["email", "username", "name", "serialNumber"].some((f) => typeof b[f] === "string");
    if (c.declares409 && named) expect(tally.conflicts, `a repeated create of ${c.path} was accepted though the document declares 409`).toBe(before + 1);
  }
  toString = () => `repeat(${usable[this.at % usable.length]?.path}, ${this.variant})`;
}

class UpdateCommand implements fc.AsyncCommand<Model, unknown> {
  constructor(readonly at: number, readonly pick: number) {}
  check = (model: Readonly<Model>) => usable.length > 0 && (model.get(usable[this.at % usable.length]!.path)?.size ?? 0) > 0;
  async run(model: Model): Promise<void> {
    const c = usable[this.at % usable.length]!;
    if (c.update === undefined) return;
    const ids = [...model.get(c.path)!.keys()];
    const id = ids[this.pick % ids.length]!;
    const items = await listAll(c);
    const key = idOf(c, items);
    const before = items.find((i) => key(i) === id)!;
    const built = buildRequest(c.update, "examples");
    const param = /\{([^}]+)\}$/.exec(c.item)![1]!;
    const method = c.update.method.toUpperCase() as "PUT" | "PATCH";
    const answer = await client(c.service)[method](c.item, { params: { path: { [param]: id } }, body: built.body, headers: { "content-type": built.contentType ?? "application/json" } }).catch((e: { status?: number }) => ({ response: { status: e.status ?? 0 } as Response }));
    const after = (await listAll(c)).find((i) => key(i) === id);
    expect(after, `${c.path}/${id} vanished on update`).toBeDefined();
    if (answer.response.status < 300) {
      tally.updates++;
      if (typeof before.generation === "number") expect(after!.generation, `${c.path}/${id} generation`).toBe(before.generation + 1);
    } else if (typeof before.generation === "number") {
      expect(after!.generation, `a refused update moved ${c.path}/${id}`).toBe(before.generation);
    }
    await checkAgrees(model, c);
  }
  toString = () => `update(${usable[this.at % usable.length]?.path}, #${this.pick})`;
}

class DeleteCommand implements fc.AsyncCommand<Model, unknown> {
  constructor(readonly at: number, readonly pick: number) {}
  check = (model: Readonly<Model>) => usable.length > 0 && (model.get(usable[this.at % usable.length]!.path)?.size ?? 0) > 0;
  async run(model: Model): Promise<void> {
    const c = usable[this.at % usable.length]!;
    const held = model.get(c.path)!;
    const ids = [...held.keys()];
    const id = ids[this.pick % ids.length]!;
    const param = /\{([^}]+)\}$/.exec(c.item)![1]!;
    const answer = await client(c.service).DELETE(c.item, { params: { path: { [param]: id } } });
    expect(answer.response.status, `DELETE ${c.item} ${id}`).toBeLessThan(300);
    tally.deletes++;
    held.delete(id);
    expect((await readItem(c, id)).status, `GET ${c.item} after its delete`).toBe(404);
    for (const child of c.children) {
      const childPath = child.replace(c.item, c.item.replace(/\{[^}]+\}$/, encodeURIComponent(id)));
      const read = await client(c.service).GET(child, { params: { path: { [param]: id } } }).catch((e: { status?: number }) => ({ response: { status: e.status ?? 0 } as Response }));
      expect(read.response.status, `GET ${childPath} after its parent's delete`).toBe(404);
    }
    await checkAgrees(model, c);
  }
  toString = () => `delete(${usable[this.at % usable.length]?.path}, #${this.pick})`;
}

beforeAll(async () => {
  mocks = await startSharedMocks({ services: [...SERVICES], collectionSize: 3, async: { durationMs: 0 } });
  gl = new GreenLake(mocks.clientOptions({ retry: false, throwOnError: true }));
  // The collections whose documented create Prism accepts (the contract suite reports the others).
  for (const c of candidates) {
    mocks.reset();
    const { body, headers } = bodyOf(c.create, 0);
    const answer = await client(c.service).POST(c.path, { body, headers }).catch(() => undefined);
    if (answer !== undefined && answer.response.status < 300) usable.push(c);
  }
  usable = usable.filter((c) => c.path !== "/compute-ops-mgmt/v1/servers" && c.path !== "/compute-ops-mgmt/v1beta2/servers");
}, 180_000);
afterAll(() => mocks?.stop());

describe("the stateful mocks agree with any sequence of calls", () => {
  it("creates, updates and deletes on any collection: lists, item reads and sub-resources agree", { timeout: 600_000 }, async () => {
    expect(usable.length, `collections: ${candidates.map((c) => c.path).join(", ")}`).toBeGreaterThanOrEqual(5);
    const commands = [
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 })).map(([at, v]) => new CreateCommand(at, v)),
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 })).map(([at, v]) => new RepeatCommand(at, v)),
      fc.tuple(fc.nat(), fc.nat()).map(([at, p]) => new UpdateCommand(at, p)),
      fc.tuple(fc.nat(), fc.nat()).map(([at, p]) => new DeleteCommand(at, p)),
    ];
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 10 }), async (cmds) => {
        runs++;
        mocks.reset();
        const model: Model = new Map();
        for (const c of usable) {
          const items = await listAll(c);
          model.set(c.path, new Map(items.map((i) => [idOf(c, items)(i), i])));
        }
        await fc.asyncModelRun(() => ({ model, real: undefined }), cmds);
      }),
      { numRuns: RUNS },
    );
    console.log(`consistency: ${runs} cases over ${usable.length} collections (${usable.map((c) => c.path).join(", ")}); ${JSON.stringify(tally)}`);
    expect(tally.creates).toBeGreaterThan(0);
    expect(tally.deletes).toBeGreaterThan(0);
  });
});

/**
 * The stateful mocks over every operation of every service, on one mocks
 * instance (starting all 29 documents once): paging exactness, list answers
 * and item reads against their documents, then create/read/delete cycles,
 * one after another so the cycles' changes never meet the walks.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { GreenLake } from "../../../src/index.js";
import { type Mocks } from "../../../src/testing/index.js";
import { startSharedMocks } from "../support/shared-prism.js";
import { defineAnswersMatchDocuments } from "./support/answers-match-documents.js";
import { defineCrudCycles } from "./support/crud-cycles.js";
import { defineItemsMatchDocuments } from "./support/items-match-documents.js";
import { definePagingExact, SIZE } from "./support/paging-exact.js";

let mocks: Mocks;
let gl: GreenLake;
// Registered first, so it runs after the included files' own afterAll checks.
afterAll(() => mocks?.stop());
beforeAll(async () => {
  // The walks send the documents' example ids for parents: those exist (kept out of lists), as sub-resources need a parent.
  mocks = await startSharedMocks({ collectionSize: SIZE, async: { durationMs: 0 }, generateUnknownItems: true });
  gl = new GreenLake(mocks.clientOptions({ retry: false }));
});

const shared = () => ({ mocks, gl });

// Each part in a plain describe: vitest runs adjacent concurrent suites together, plain ones in turn.
describe("stateful mocks over every operation", () => {
  describe("paging", () => definePagingExact(shared));
  describe("list answers", () => defineAnswersMatchDocuments(shared));
  describe("item reads", () => defineItemsMatchDocuments(shared));
  describe("create/read/delete", () => defineCrudCycles(shared));
});

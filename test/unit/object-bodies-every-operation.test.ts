// Every operation's request body type against wrong bodies (npm run test:all; npm test compiles one operation of
// each kind: object-bodies.test.ts).
import { describe } from "vitest";
import { bodyOperations, itRefusesWrongBodies } from "./support/object-bodies.js";

describe("request bodies the document declares as objects", () => {
  itRefusesWrongBodies("refuse a primitive, an array, null and a misspelt field, for every such operation", bodyOperations, 1400);
});

/**
 * Messages that say the truth: the three region messages and their exit code,
 * and every message template (each factory of src/errors.ts, each message
 * literal of src/cli) rendered with no placeholder left and no doubled punctuation.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as errors from "../../src/errors.js";
import { checkRegion, loadRegions, loadService } from "../../src/cli/catalog.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { run } from "../../src/cli/run.js";
import { memoryIo } from "./support/cli-io.js";

/** A placeholder left literally (`<service>`), or punctuation doubled by joining texts ("..", ". .", ",,"). */
const PLACEHOLDER = /<[a-z][a-zA-Z-]*>/;
const DOUBLED = /(?<!\.)\.\.(?!\.)|\.\s+\.(?!\.)|,\s*,|;\s*;/;

function expectClean(message: string): void {
  expect(message, message).not.toMatch(PLACEHOLDER);
  expect(message, message).not.toMatch(DOUBLED);
}

const env = { HOME: "/nonexistent-glp-home", GREENLAKE_TOKEN: "t", GREENLAKE_BASE_URL: "http://127.0.0.1:9" };

describe("region messages", () => {
  it("tell an unknown region, a region the service lacks and a region a global service ignores apart, each listing what is valid", { timeout: 60_000 }, async () => {
    const unknown = memoryIo({ env });
    expect(await run(["identity", "get-users", "--region", "eu-centrl"], unknown)).toBe(EXIT.configuration);
    expect(unknown.err()).toBe('glp: --region "eu-centrl" is not a GreenLake region; regions: ap-northeast, eu-central, eu-west, us-west.\n');

    const notServed = memoryIo({ env });
    expect(await run(["compute-ops-mgmt", "get-v1-servers", "--region", "eu-west"], notServed)).toBe(EXIT.configuration);
    expect(notServed.err()).toBe('glp: compute-ops-mgmt is not served in region "eu-west" (--region); it is served in us-west, eu-central, ap-northeast.\n');

    const fromEnv = memoryIo({ env: { ...env, GREENLAKE_REGION: "eu-west" } });
    expect(await run(["compute-ops-mgmt", "get-v1-servers"], fromEnv)).toBe(EXIT.configuration);
    expect(fromEnv.err()).toContain("(GREENLAKE_REGION)");

    // A global service: the call goes ahead (to a loopback stub), with a warning that the region is not used.
    const stub = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ items: [], count: 0, offset: 0, total: 0 }));
    });
    await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
    const global = memoryIo({ env: { ...env, GREENLAKE_BASE_URL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}` } });
    try {
      expect(await run(["identity", "get-users", "--region", "eu-central"], global)).toBe(EXIT.ok);
    } finally {
      await new Promise((resolve) => stub.close(resolve));
    }
    expect(global.err().split("\n")[0]).toBe('glp: warning: identity is a global service: region "eu-central" is not used (regions choose the server of regional services only).');
    expect(EXIT.configuration).not.toBe(EXIT.auth);
  });

  it("property: any region is accepted for a service serving it, and otherwise named in a message listing the valid ones", async () => {
    const known = await loadRegions();
    const services = new Map(await Promise.all(["compute-ops-mgmt", "identity", "block-storage", "consumption-analytics", "private-cloud-business"].map(async (s) => [s, await loadService(s)] as const)));
    // Names a user might type; their own text is quoted in the message, so it is kept free of what the check looks for.
    const typed = fc.string({ maxLength: 20 }).filter((s) => !DOUBLED.test(s) && !PLACEHOLDER.test(s));
    fc.assert(
      fc.property(fc.constantFrom(...services.keys()), fc.oneof(fc.constantFrom(...known), typed), (name, region) => {
        const service = services.get(name)!;
        const served = service.regions.filter((r) => r !== "global");
        let outcome: string | undefined;
        try {
          outcome = checkRegion(service, region, known, "--region");
        } catch (error) {
          expect(error).toBeInstanceOf(errors.GreenLakeConfigurationError);
          const message = (error as Error).message;
          expectClean(message);
          if (known.includes(region)) {
            // A real region is never called unknown: it is one the service is not served in.
            expect(message).not.toMatch(/not a GreenLake region/);
            expect(message).toContain(`it is served in ${served.join(", ")}.`);
          } else {
            expect(message).toContain(`regions: ${known.join(", ")}.`);
          }
          return;
        }
        expect(known).toContain(region);
        if (served.length === 0) expect(outcome).toContain("is a global service");
        else expect(served).toContain(region);
      }),
      { numRuns: 300 },
    );
  });
});

// Texts as servers, issuers and callers hand them in: often ending in a full stop, sometimes empty.
const text = fc.oneof(fc.constant(""), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 '()_-]{0,24}[.!?]?$/), fc.constantFrom("wrong secret.", "Bad request.", "name must be unique."));
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
const status = fc.constantFrom(400, 401, 403, 404, 409, 429, 500, 503);

/** Every message factory of src/errors.ts, called with generated arguments. */
const FACTORIES: Record<string, fc.Arbitrary<() => unknown>> = {
  invalidParameterError: fc.tuple(word, text, text, text).map(([p, problem, fix, m]) => () => errors.invalidParameterError("GET", `/x/${m.length}`, "path", p, problem || "is empty", fix)),
  invalidCallOptionError: fc.tuple(word, text).map(([o, problem]) => () => errors.invalidCallOptionError("GET", "/x", o, problem || "is wrong")),
  paginationError: fc.tuple(text, text, fc.constantFrom("items", "pages", "cursor") as fc.Arbitrary<"items" | "pages" | "cursor">).map(([problem, advice, unit]) => () => errors.paginationError("/x", 3, unit, problem || "a page repeated", advice)),
  errorFromResponse: fc.tuple(status, text, word).map(([s, message, code]) => () => errors.errorFromResponse("GET", "http://h/x", new Response(null, { status: s }), { message, errorCode: code, debugId: "d1" })),
  attemptTimeoutError: fc.boolean().map((b) => () => errors.attemptTimeoutError("GET", "/x", 100, b)),
  abortedError: fc.constant(() => errors.abortedError("GET", "/x", new Error("stop"))),
  connectionError: fc.tuple(text, fc.boolean()).map(([m, b]) => () => errors.connectionError("GET", "http://h/x", Object.assign(new Error(m || "socket hang up"), { code: "ECONNRESET" }), b)),
  malformedBodyError: text.map((m) => () => errors.malformedBodyError("GET", "/x", new Error(m || "Unexpected token"))),
  providerTokenError: fc.constant(() => errors.providerTokenError()),
  tokenRequestError: fc.tuple(status, word, text, fc.boolean()).map(([s, code, description, timedOut]) => () =>
    errors.tokenRequestError(
      { isBoom: true, message: description, output: { statusCode: s }, data: { isResponseError: true, payload: { error: code, error_description: description } } },
      { what: "The token request", where: "http://h/token", path: "/token", timeoutMs: 100, timedOut },
    ),
  ),
  configurationError: text.map((m) => () => errors.configurationError(m || "clientId is empty.")),
  operationFailedError: text.map((m) => () => errors.operationFailedError(m || "The job", {}, "/x")),
  operationTimeoutError: text.map((m) => () => errors.operationTimeoutError(m || "The job", 100, "/x")),
  noLocationError: status.map((s) => () => errors.noLocationError(s)),
  noJobIdError: fc.constant(() => errors.noJobIdError("/x")),
  noAccessTokenError: fc.constant(() => errors.noAccessTokenError("The token request", "http://h/token", "/token")),
  unknownRegionError: fc.tuple(word, fc.array(word, { minLength: 1, maxLength: 4 })).map(([r, known]) => () => errors.unknownRegionError(r, known)),
  regionNotServedError: fc.tuple(word, word, fc.array(word, { minLength: 1, maxLength: 4 })).map(([s, r, served]) => () => errors.regionNotServedError(s, r, served)),
  regionIgnoredMessage: fc.tuple(word, word).map(([s, r]) => () => errors.regionIgnoredMessage(s, r)),
  endSentence: text.map((t) => () => errors.endSentence(t || "done")),
  malformedTokenError: fc.constantFrom("The token request", "The token provider").map((from) => () => errors.malformedTokenError(from)),
  notAServiceClientError: fc.constant(() => errors.notAServiceClientError()),
  notPaginatedError: fc.tuple(word, word).map(([p, s]) => () => errors.notPaginatedError(`/x/${p}`, s)),
  positiveIntegerError: word.map((n) => () => errors.positiveIntegerError(n)),
  responseTooLargeError: fc.integer({ min: 1, max: 1e9 }).map((n) => () => errors.responseTooLargeError("GET", "http://h/x", n)),
  unknownServiceError: fc.tuple(word, fc.array(word, { minLength: 1, maxLength: 4 })).map(([k, known]) => () => errors.unknownServiceError(k, known)),
  pathWithoutSlashError: fc.constantFrom("GET", "POST").map((m) => () => errors.pathWithoutSlashError(m)),
  tooManyRedirectsError: fc.integer({ min: 1, max: 50 }).map((n) => () => errors.tooManyRedirectsError("GET", "http://h/x", n)),
  refusedRedirectError: fc
    .tuple(fc.constantFrom(301, 302, 303, 307, 308), fc.constantFrom("to a Location that is not a URL", "to a ftp: URL, which is neither http nor https", 'and the call was made with redirect: "error"'))
    .map(([status, why]) => () => errors.refusedRedirectError("GET", "http://h/x", status, why)),
  tokenWaitTimeoutError: fc.integer({ min: 1, max: 600_000 }).map((n) => () => errors.tokenWaitTimeoutError("GET", "/x", n)),
  undefinedStatusError: fc.integer({ min: 600, max: 999 }).map((n) => () => errors.undefinedStatusError("GET", "http://h/x", n)),
  unusableLocationError: fc.constant(() => errors.unusableLocationError()),
};

describe("every message template", () => {
  it("the table above covers every message factory src/errors.ts exports", () => {
    const factories = Object.entries(errors)
      .filter(([name, value]) => typeof value === "function" && !/^class\b/.test(Function.prototype.toString.call(value)) && /(Error|Message|Sentence)$|^errorFrom/.test(name))
      .map(([name]) => name)
      .sort();
    expect(Object.keys(FACTORIES).sort()).toEqual(factories);
  });

  it("property: errors.ts messages leave no placeholder and double no punctuation, whatever texts they join", () => {
    fc.assert(
      fc.property(fc.oneof(...Object.values(FACTORIES)), (make) => {
        const made = make();
        expectClean(typeof made === "string" ? made : (made as Error).message);
      }),
      { numRuns: 2000 },
    );
  });

  it("glp's message literals, rendered, leave no placeholder and double no punctuation", () => {
    const dir = join(import.meta.dirname, "../../src/cli");
    const rendered: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "help.ts" && f !== "completion.ts")) {
      const source = ts.createSourceFile(file, readFileSync(join(dir, file), "utf8"), ts.ScriptTarget.Latest, true);
      const render = (node: ts.Node): string | undefined => {
        if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
        // Each interpolation as a short value, so only the template's own text is judged.
        if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => `x${s.literal.text}`).join("");
        if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
          const [a, b] = [render(node.left), render(node.right)];
          return a === undefined || b === undefined ? undefined : a + b;
        }
        return undefined;
      };
      const visit = (node: ts.Node): void => {
        if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.arguments?.[0]) {
          const callee = node.expression.getText(source);
          if (/(UsageError|InvalidArgumentError|configurationError|Error|\.write|fail)$/.test(callee)) {
            const message = render(node.arguments[0]);
            if (message !== undefined && /[a-z]{3}/.test(message)) rendered.push(message);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(rendered.length).toBeGreaterThan(40);
    for (const message of rendered) expectClean(message);
  });
});

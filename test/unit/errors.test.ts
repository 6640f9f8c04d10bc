import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  errorFromResponse,
  GreenLakeAuthError,
  GreenLakeConflictError,
  GreenLakeConnectionError,
  GreenLakeError,
  GreenLakeForbiddenError,
  GreenLakeNotFoundError,
  GreenLakeRateLimitedError,
  GreenLakeServerError,
  GreenLakeTimeoutError,
  GreenLakeRequestTimeoutError,
  GreenLakeValidationError,
  pathOf,
  throwUnlessOk,
  unwrap,
} from "../../src/errors.js";
import { createServiceClient } from "../../src/service-client.js";
import { captureError } from "./support/capture.js";
import { globalService, json, stubFetch, type FixturePaths } from "./support/fixtures.js";

const hpeError = (status: number) => ({
  httpStatusCode: status,
  errorCode: `HPE_GL_ERROR_${status}`,
  message: "Something specific went wrong",
  debugId: "dbg-123",
  errorDetails: [{ type: "hpe.greenlake.bad_request", issues: [{ source: "limit", description: "too big" }] }],
});

describe("errorFromResponse", () => {
  it.each([
    [400, GreenLakeValidationError],
    [401, GreenLakeAuthError],
    [403, GreenLakeForbiddenError],
    [404, GreenLakeNotFoundError],
    [408, GreenLakeRequestTimeoutError],
    [409, GreenLakeConflictError],
    [412, GreenLakeConflictError],
    [422, GreenLakeValidationError],
    [429, GreenLakeRateLimitedError],
    [500, GreenLakeServerError],
    [503, GreenLakeServerError],
    [418, GreenLakeError],
  ])("maps %i to its class with HPE's fields", (status, ErrorClass) => {
    const response = json(hpeError(status), status, { "x-request-id": "r1", "set-cookie": "session=abc", "ratelimit-remaining": "3" });
    const error = captureError(
      errorFromResponse("GET", "https://global.api.greenlake.hpe.com/identity/v1/users?filter=name%20eq%20'x'", response, hpeError(status)),
    ) as GreenLakeError;
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(GreenLakeError);
    expect(error).toMatchObject({ method: "GET", path: "/identity/v1/users", status, errorCode: `HPE_GL_ERROR_${status}`, debugId: "dbg-123" });
    expect(error.errorDetails[0]).toMatchObject({ type: "hpe.greenlake.bad_request" });
    expect(error.message).toContain(`GET /identity/v1/users failed with ${status} HPE_GL_ERROR_${status}: Something specific went wrong (debugId dbg-123)`);
    expect(error.headers).toEqual({ "content-type": "application/json", "x-request-id": "r1", "ratelimit-remaining": "3" });
  });

  it("copes with a non-JSON body", () => {
    const error = errorFromResponse("POST", "/x", new Response("upstream down", { status: 502 }), "upstream down");
    expect(error).toBeInstanceOf(GreenLakeServerError);
    expect(error.message).toBe("POST /x failed with 502: upstream down");
  });

  it("takes the path without the query", () => {
    expect(pathOf("https://h.example.com/a/b?c=d")).toBe("/a/b");
    expect(pathOf("/a?b")).toBe("/a");
    expect(pathOf("https://h.example.com")).toBe("/");
  });
});

describe("exceptions instead of { data, error }", () => {
  it("keeps openapi-fetch's { data, error, response } by default", async () => {
    const { fetch } = stubFetch(() => json(hpeError(404), 404));
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, env: {} });
    const { data, error, response } = await client.GET("/identity/v1/users");
    expect(data).toBeUndefined();
    expect(error).toMatchObject({ errorCode: "HPE_GL_ERROR_404" });
    expect(response.status).toBe(404);
  });

  it("throws a typed error with throwOnError", async () => {
    const { fetch } = stubFetch(() => json(hpeError(403), 403));
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, throwOnError: true, env: {} });
    const error = captureError(await client.GET("/identity/v1/users").catch((e: unknown) => e));
    expect(error).toBeInstanceOf(GreenLakeForbiddenError);
    expect(error).toMatchObject({ method: "GET", path: "/identity/v1/users", status: 403 });
  });

  it("unwraps one call", async () => {
    const { fetch } = stubFetch((_r, i) => (i === 0 ? json({ items: [1] }) : json(hpeError(409), 409)));
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, env: {} });
    const users = await unwrap(client.GET("/identity/v1/users"));
    expect(users.items).toEqual([1]);
    const conflict = captureError(await unwrap(client.GET("/identity/v1/users")).catch((e: unknown) => e));
    expect(conflict).toBeInstanceOf(GreenLakeConflictError);
    expect(conflict).toMatchObject({ method: "GET", path: "/identity/v1/users", status: 409 });
  });
});

describe("unreadable bodies", () => {
  it("types malformed JSON and a cut-off body, naming the call", async () => {
    const { fetch } = stubFetch((_r, i) => {
      if (i === 0) return new Response('{"items": [', { status: 200, headers: { "content-type": "application/json" } });
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"items": ['));
          controller.error(new TypeError("terminated"));
        },
      });
      return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
    });
    const client = createServiceClient<FixturePaths>(globalService, { token: "t", fetch, env: {} });
    const malformed = captureError(await client.GET("/identity/v1/users").catch((e: unknown) => e));
    expect(malformed).toBeInstanceOf(GreenLakeServerError);
    expect((malformed as Error).message).toMatch(/^GET \/identity\/v1\/users returned a body that is not valid JSON/);
    const cut = captureError(await client.GET("/identity/v1/users").catch((e: unknown) => e));
    expect(cut).toBeInstanceOf(GreenLakeConnectionError);
    expect(cut).toMatchObject({ method: "GET", path: "/identity/v1/users" });
  });
});

describe("throwUnlessOk", () => {
  it("passes a 2xx result and throws the typed error of any other, naming the call", () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 599 }), fc.constantFrom("GET", "POST"), fc.boolean(), (status, method, withUrl) => {
        const response = new Response(null, { status });
        if (withUrl) Object.defineProperty(response, "url", { value: "https://api.example.invalid/compute-ops-mgmt/v1/jobs/7?x=1" });
        const body = { errorCode: "E1", message: "no" };
        const path = "/compute-ops-mgmt/v1/jobs/{id}";
        let thrown: unknown;
        try {
          throwUnlessOk({ error: body, response }, method, path);
        } catch (error) {
          thrown = error;
        }
        if (status < 300) {
          expect(thrown).toBeUndefined();
          return;
        }
        const expected = errorFromResponse(method, withUrl ? response.url : path, response, body);
        expect(thrown).toBeInstanceOf(expected.constructor);
        expect((thrown as GreenLakeError).message).toBe(expected.message);
        expect((thrown as GreenLakeError).message).toContain(`${method} ${withUrl ? "/compute-ops-mgmt/v1/jobs/7" : path} failed with ${status}`);
      }),
      { numRuns: 200 },
    );
  });
});

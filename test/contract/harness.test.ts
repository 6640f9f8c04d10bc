import { describe, expect, it } from "vitest";
import { GreenLake } from "../../src/index.js";
import { mockClientOptions, mockEndpoints } from "./support/endpoints.js";

describe("mock harness", () => {
  it("serves an operation through the SDK with a token from the local issuer", async () => {
    const gl = new GreenLake(mockClientOptions());
    const { data, response } = await gl.identity.GET("/identity/v1/users", {});
    expect(response.status).toBe(200);
    expect(data).toHaveProperty("items");
  });

  it("answers 401 with an HPE error body to a token the issuer did not issue", async () => {
    const response = await fetch(`${mockEndpoints().baseUrl}/identity/v1/users`, { headers: { authorization: "Bearer forged" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ httpStatusCode: 401, errorCode: "HPE_GL_ERROR_UNAUTHORIZED" });
  });
});

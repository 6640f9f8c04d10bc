/**
 * `npm run demo`: starts local mocks of HPE's API documents and a token
 * issuer, takes a short narrated tour of the getting-started scenarios
 * through the SDK, and stops everything. It never calls GreenLake itself.
 */
import { GreenLakeError, type GreenLake } from "greenlake-sdk";
import { exampleAuthorization, manageAuthorization, services as authorizationServices } from "./authorization.js";
import { activationKeys, exampleServerId, listServers, services as computeServices, userPreferences } from "./compute-ops-mgmt.js";
import { exampleAssociations, manageCredentials, services as credentialServices } from "./credentials.js";
import { actAsTenant, services as mspServices } from "./msp-tenant.js";
import { listSystemSoftwareCatalogs, services as catalogServices } from "./private-cloud-catalogs.js";
import type { Narrator } from "./support/narrator.js";
import { runExample } from "./support/run-example.js";
import { manageUsers, services as userServices } from "./users.js";

const services = [
  ...new Set([...catalogServices, ...userServices, ...credentialServices, ...authorizationServices, ...computeServices, ...mspServices]),
];

// The mocks accept any workspace id in scope GRNs; this one only has to look right.
const demoWorkspace = "0123456789abcdef0123456789abcdef";

// A short pause between steps lets a reader follow the tour as it scrolls.
const PAUSE_MS = 250;

async function tour(gl: GreenLake, narrator: Narrator): Promise<void> {
  const steps: ((gl: GreenLake, narrator: Narrator) => Promise<unknown>)[] = [
    listSystemSoftwareCatalogs,
    (gl, n) => manageUsers(gl, n, { email: "jane.doe@example.com" }),
    (gl, n) => manageCredentials(gl, n, exampleAssociations),
    (gl, n) => manageAuthorization(gl, n, exampleAuthorization(demoWorkspace)),
    activationKeys,
    userPreferences,
    // The mocks answer every offset with the same example page, so one page is all they can show.
    (gl, n) => listServers(gl, n, { serverId: exampleServerId, maxServers: 1 }),
    actAsTenant,
    typedErrors,
  ];
  for (const step of steps) {
    await step(gl, narrator);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
}

/** Failures arrive as typed errors that say what failed and what to check. */
async function typedErrors(gl: GreenLake, narrator: Narrator): Promise<void> {
  narrator.step("Errors: typed, with the request and the server's explanation");
  try {
    await gl.identity.GET("/identity/v1/users/{id}", { params: { path: { id: "not-a-user-id" } } });
    narrator.say("the mock accepted a malformed id (no error to show)");
  } catch (error) {
    if (!(error instanceof GreenLakeError)) throw error;
    narrator.say(`${error.name} (status ${error.status ?? "none"})`);
    narrator.say(error.message.length > 160 ? `${error.message.slice(0, 157)}...` : error.message);
  }
}

await runExample("HPE GreenLake SDK demo: a tour of the getting-started guides on local mocks", services, tour, { mocksOnly: true });

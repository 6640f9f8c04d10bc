/**
 * `npm run demo`: starts local, stateful mocks of HPE's API documents and a
 * token issuer, takes a short narrated tour of the getting-started scenarios
 * through the SDK (what one call changes, the next one sees), pages through a
 * large listing, follows an async operation and a job to the end, onboards
 * devices (add, assign an application and region, subscribe), rides out a
 * scripted 429, and stops everything. It never calls GreenLake itself.
 */
import { GreenLakeError, odata, paginatePages, runComJob, waitForAsyncOperation, type GreenLake } from "greenlake-sdk";
import type { Mocks } from "greenlake-sdk/testing";
import { exampleAuthorization, manageAuthorization, services as authorizationServices } from "./authorization.js";
import { activationKeys, applianceUri, listServers, services as computeServices, userPreferences } from "./compute-ops-mgmt.js";
import { exampleAssociations, manageCredentials, services as credentialServices } from "./credentials.js";
import { actAsTenant, services as mspServices } from "./msp-tenant.js";
import { listSystemSoftwareCatalogs, services as catalogServices } from "./private-cloud-catalogs.js";
import { plural, short, type Narrator } from "./support/narrator.js";
import { runExample } from "./support/run-example.js";
import { onboardDevices, services as deviceServices } from "./devices.js";
import { manageUsers, services as userServices } from "./users.js";

const services = [
  ...new Set([...catalogServices, ...userServices, ...credentialServices, ...authorizationServices, ...computeServices, ...mspServices, ...deviceServices]),
];

// The mocks accept any workspace id in scope GRNs; this one only has to look right.
const demoWorkspace = "0123456789abcdef0123456789abcdef";

// A short pause between steps lets a reader follow the tour as it scrolls in a terminal; output piped to a
// file or another program has no reader to wait for.
const PAUSE_MS = process.stdout.isTTY ? 250 : 0;

// The mocks end async work within a second, and say how long is left: poll as often as they suggest
// (GreenLake's operations take longer, hence the SDK's one-second floor by default).
const POLL = { pollIntervalMs: 100, minPollIntervalMs: 100 };

async function tour(gl: GreenLake, narrator: Narrator, mocks: Mocks): Promise<void> {
  // Two keys already onboarded through the guide's appliance, so its filter finds something.
  mocks.seed(
    "/compute-ops-mgmt/v1beta1/activation-keys",
    [0, 1].map((i) => ({ activationKey: `ZK${i}8QW3RT`, targetDevice: "ILO", applianceUri, expiresAt: "2026-12-31T00:00:00Z" })),
    { append: true },
  );
  const steps: ((gl: GreenLake, narrator: Narrator) => Promise<unknown>)[] = [
    listSystemSoftwareCatalogs,
    (gl, n) => manageUsers(gl, n, { email: "jane.doe@example.com" }),
    (gl, n) => manageCredentials(gl, n, exampleAssociations),
    (gl, n) => manageAuthorization(gl, n, exampleAuthorization(demoWorkspace)),
    activationKeys,
    userPreferences,
    serversPageByPage,
    asyncWork,
    (gl, n) => onboardDevices(gl, n, { wait: POLL }),
    actAsTenant,
    (gl, n) => rateLimited(gl, n, mocks),
    typedErrors,
  ];
  for (const step of steps) {
    await step(gl, narrator);
    if (PAUSE_MS > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
}

/** A listing several pages long, counted as the pages arrive; then one server found by its `+` id. */
async function serversPageByPage(gl: GreenLake, narrator: Narrator): Promise<void> {
  narrator.step("Compute Ops Management: servers, page by page");
  const model = "ProLiant DL360 Gen11";
  const filter = odata`hardware/model eq ${model}`;
  narrator.say(`filter ${filter}`);
  let total = 0;
  let pages = 0;
  let firstId: string | undefined;
  for await (const page of paginatePages(gl.computeOpsMgmt, "/compute-ops-mgmt/v1/servers", { query: { filter } })) {
    pages += 1;
    total += page.items.length;
    firstId ??= page.items[0]?.id;
    narrator.say(`page ${pages}: ${plural(page.items.length, "server")} (running count ${total} of ${page.total})`);
  }
  if (firstId !== undefined) await listServers(gl, narrator, { serverId: firstId, maxServers: 5 });
}

/** A 202 + Location followed to its end, and a Compute Ops Management job run to COMPLETE. */
async function asyncWork(gl: GreenLake, narrator: Narrator): Promise<void> {
  narrator.step("Async work: an async operation and a job, followed to the end");
  // A server added through its secure gateway, named by its iLO's address.
  const added = await gl.computeOpsMgmt.POST("/compute-ops-mgmt/v1/servers", {
    body: { appliance: { applianceId: "2bb6e3b3-5a3f-4a2c-9d0e-7c7b1f6c1a01" }, hardware: { bmc: { userDefined: { host: "10.0.12.34" } } } },
  });
  narrator.say(`POST /compute-ops-mgmt/v1/servers answered ${added.response.status} with Location ${added.response.headers.get("location") ?? "(none)"}`);
  const operation = await waitForAsyncOperation(gl.computeOpsMgmt, added, POLL);
  narrator.say(`async operation ${short(String(operation.id))} ended ${operation.state ?? operation.status}`);
  const job = await runComJob(gl.computeOpsMgmt, { jobTemplate: "fd54a96c-cabc-42e3-aee3-374a2d009dba", resourceId: "P06760-B21+2M212504P8", resourceType: "compute-ops-mgmt/server" }, POLL);
  narrator.say(`job ${short(job.id)} (firmware update template) ended ${job.state}`);
}

/** The mocks answer 429 once; the client waits as told and retries on its own. */
async function rateLimited(gl: GreenLake, narrator: Narrator, mocks: Mocks): Promise<void> {
  narrator.step("Rate limits: a 429 the SDK rides out");
  mocks.faults.tooManyRequests({ operation: "GET /identity/v1/users", retryAfterSeconds: 1 });
  const started = Date.now();
  const page = await gl.identity.GET("/identity/v1/users", { params: { query: { limit: 3 } } });
  const statuses = mocks.calls.filter((c) => c.operation === "GET /identity/v1/users").slice(-2).map((c) => c.status);
  narrator.say(`the mocks answered ${statuses.join(", then ")}: the SDK waited the 1 s Retry-After and retried`);
  narrator.say(`got ${plural(page.data?.items.length ?? 0, "user")} after ${((Date.now() - started) / 1000).toFixed(1)} s, no error raised`);
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
    narrator.say(error.message.length > 240 ? `${error.message.slice(0, 237)}...` : error.message);
  }
}

await runExample(
  "HPE GreenLake SDK demo: a tour of the getting-started guides on local mocks",
  services,
  (gl, narrator, connection) => {
    if (connection.mocks === undefined) throw new Error("the demo runs on the local mocks only");
    return tour(gl, narrator, connection.mocks);
  },
  {
    mocksOnly: true,
    // Enough servers for a listing several pages long; one preferences record per user, as on GreenLake.
    mockOptions: { collectionSize: { "/compute-ops-mgmt/v1/servers": 600, "/compute-ops-mgmt/v1/user-preferences": 1 } },
  },
);

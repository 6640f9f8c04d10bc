/**
 * Users of a workspace: list them, invite one, read the new user, set their
 * language and session timeout, and remove them again.
 *
 * Run: `npx tsx examples/users.ts` (mocks, or GreenLake when GREENLAKE_* credentials are set).
 */
import { odata, unwrap, type GreenLake } from "greenlake-sdk";
import { short, type Narrator } from "./support/narrator.js";
import { isMain, runExample } from "./support/run-example.js";

export const services = ["identity"] as const;

export interface UsersOptions {
  /** Address to invite; default a unique address at example.com. */
  readonly email?: string;
}

export interface UsersOutcome {
  readonly invitedEmail: string;
  readonly userId: string;
}

export async function manageUsers(gl: GreenLake, narrator: Narrator, options: UsersOptions = {}): Promise<UsersOutcome> {
  narrator.step("Users: list, invite, get, update preferences, remove");
  const email = options.email ?? `sdk-example-${Date.now().toString(36)}@example.com`;

  const listing = await unwrap(gl.identity.GET("/identity/v1/users", { params: { query: { limit: 5 } } }));
  narrator.say(`listed ${listing.count} of ${listing.total} users`);

  await unwrap(gl.identity.POST("/identity/v1/users", { body: { email, sendWelcomeEmail: false } }));
  narrator.say(`invited ${email} (no welcome email)`);

  // The invitation answers with a message only; the new user is found by username.
  const found = await unwrap(
    gl.identity.GET("/identity/v1/users", { params: { query: { filter: odata`username eq ${email}`, limit: 1 } } }),
  );
  const invited = found.items[0];
  if (invited === undefined) throw new Error(`the invited user ${email} is not listed`);

  const user = await unwrap(gl.identity.GET("/identity/v1/users/{id}", { params: { path: { id: invited.id } } }));
  narrator.say(`user ${short(user.id)}: ${user.username}, status ${user.userStatus ?? "unknown"}`);

  await unwrap(
    gl.identity.PUT("/identity/v1/users/{id}", {
      params: { path: { id: user.id } },
      body: { language: "en", idleTimeout: 1800 },
    }),
  );
  narrator.say("preferences set: language en, idle timeout 30 min");

  await unwrap(gl.identity.DELETE("/identity/v1/users/{id}", { params: { path: { id: user.id } } }));
  narrator.say(`user ${short(user.id)} removed from the workspace`);
  return { invitedEmail: email, userId: user.id };
}

if (isMain(import.meta.url)) {
  await runExample("Users", services, (gl, narrator) => manageUsers(gl, narrator));
}

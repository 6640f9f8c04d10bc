/** Saved profiles (`glp login`): client id, workspace, region, issuer, and where the secret comes from. */
import { join } from "node:path";
import { stat } from "node:fs/promises";
import { configDir, privateDir, readPrivate, writePrivate, type Env } from "./files.js";
import { UsageError } from "./exit-codes.js";

/** Where a profile's client secret comes from; never a command-line value. */
export type SecretSource = { readonly env: string } | { readonly command: string } | { readonly stored: string };

export interface Profile {
  readonly clientId: string;
  readonly workspaceId?: string | undefined;
  readonly region?: string | undefined;
  readonly tokenUrl?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly secret: SecretSource;
}

interface ProfilesFile {
  profiles: Record<string, Profile>;
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) throw new UsageError(`profile name ${JSON.stringify(name)}: use letters, digits, ".", "_" or "-" (up to 64)`);
  return name;
}

function profilesFile(env: Env): string {
  return join(configDir(env), "profiles.json");
}

export async function readProfiles(env: Env): Promise<Record<string, Profile>> {
  const file = profilesFile(env);
  const text = await readPrivate(file);
  if (text === undefined) {
    const mode = await stat(file).then((s) => s.mode, () => undefined);
    // It may hold a secret: refuse it rather than use it, and say how to fix it.
    if (mode !== undefined) throw new UsageError(`${file} can be read by other users; run chmod 600 ${file} (and check who read it)`);
    return {};
  }
  try {
    const parsed = JSON.parse(text) as ProfilesFile;
    return parsed.profiles !== null && typeof parsed.profiles === "object" ? parsed.profiles : {};
  } catch {
    throw new UsageError(`${profilesFile(env)} is not valid JSON; fix or delete it and run glp login again`);
  }
}

export async function readProfile(env: Env, name: string): Promise<Profile | undefined> {
  const profiles = await readProfiles(env);
  return Object.hasOwn(profiles, name) ? profiles[name] : undefined;
}

export async function saveProfile(env: Env, name: string, profile: Profile): Promise<string> {
  const profiles = await readProfiles(env);
  profiles[checkProfileName(name)] = profile;
  await privateDir(configDir(env));
  const file = profilesFile(env);
  await writePrivate(file, `${JSON.stringify({ profiles }, null, 2)}\n`);
  return file;
}

/** Saved profiles (`glp login`): client id, workspace, region, issuer, and where the secret comes from. */
import { join } from "node:path";
import { configurationError } from "../errors.js";
import { checkDir, configDir, privateDir, readPrivate, writePrivate, type Env } from "./files.js";
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

const optionalString = (v: unknown) => v === undefined || typeof v === "string";

/** A profile as the file holds it, checked field by field: the file is outside input too. */
function checkProfile(file: string, name: string, value: unknown): Profile {
  const p = value as Partial<Record<keyof Profile, unknown>> | null;
  const secret = p?.secret as Record<string, unknown> | null | undefined;
  const secretOk =
    secret !== null && typeof secret === "object" && Object.keys(secret).length === 1 && ["env", "command", "stored"].some((k) => typeof secret[k] === "string");
  if (p === null || typeof p !== "object" || typeof p.clientId !== "string" || !secretOk || ![p.workspaceId, p.region, p.tokenUrl, p.baseUrl].every(optionalString)) {
    throw configurationError(`${file}: profile ${JSON.stringify(name)} is not one glp wrote; run glp login --profile ${name} again`);
  }
  return p as Profile;
}

export async function readProfiles(env: Env): Promise<Record<string, Profile>> {
  const file = profilesFile(env);
  // Refused (with the fix) when it or its folder is a link, another user's, or open to others: it may hold a secret.
  await checkDir(configDir(env));
  const text = await readPrivate(file, { secret: "refuse" });
  if (text === undefined) return {};
  let parsed: Partial<ProfilesFile> | null;
  try {
    parsed = JSON.parse(text) as Partial<ProfilesFile> | null;
  } catch {
    throw new UsageError(`${file} is not valid JSON; fix or delete it and run glp login again`);
  }
  const profiles = parsed?.profiles;
  if (profiles === null || typeof profiles !== "object" || Array.isArray(profiles)) return {};
  const checked: Record<string, Profile> = Object.create(null) as Record<string, Profile>;
  for (const [name, value] of Object.entries(profiles)) checked[name] = checkProfile(file, name, value);
  return checked;
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

/**
 * Where glp keeps profiles and cached tokens (XDG config and cache folders),
 * written so only the user can read them: files 0600 in folders 0700.
 */
import { chmod, mkdir, open, readFile, rename, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

export type Env = Readonly<Record<string, string | undefined>>;

export function configDir(env: Env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config"), "glp");
}

export function cacheDir(env: Env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "glp");
}

export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A folder made earlier (or by hand) with wider rights is narrowed: it holds secrets.
  await chmod(dir, 0o700);
}

/** Writes `text` to `file` readable by the owner only, replacing it atomically. */
export async function writePrivate(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temp, "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/** The file's text, or undefined when it is missing or readable by others (then it is not trusted). */
export async function readPrivate(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) return undefined;
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

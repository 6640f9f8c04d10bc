/**
 * Where glp keeps profiles and cached tokens (XDG config and cache folders),
 * and the rules it trusts them by: a file is read only when it is a regular
 * file owned by the user that no one else can change; glp's folders likewise
 * (mode 0700). No link is followed when reading, writing or changing modes
 * (O_NOFOLLOW, then fstat/fchmod on what was opened). Writes are atomic: a
 * new file in the same folder, renamed over the old one.
 */
import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { lstat, mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { configurationError } from "../errors.js";

export type Env = Readonly<Record<string, string | undefined>>;

export function configDir(env: Env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config"), "glp");
}

export function cacheDir(env: Env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "glp");
}

// Ownership and modes mean nothing on Windows; O_NOFOLLOW is 0 there.
const POSIX = process.platform !== "win32";
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
// A FIFO planted at the path must not block the open.
const NONBLOCK = constants.O_NONBLOCK ?? 0;
const MAX_BYTES = 1 << 20;

const currentUid = (): number | undefined => (POSIX ? process.getuid?.() : undefined);

/** A file or folder glp will not use: one line naming it and the fix. */
function refused(path: string, problem: string, fix: string) {
  return configurationError(`${path} ${problem}; ${fix}`);
}

/**
 * How much of a file's trust `info` breaks, as a refusal; undefined when it may
 * be trusted. `secret`: readable by others counts too (it may hold a client secret).
 */
export function trustProblem(path: string, info: Stats, kind: "file" | "folder", secret = false): Error | undefined {
  const remove = `remove it (rm ${kind === "folder" ? "-r " : ""}${path}) if you did not put it there`;
  if (info.isSymbolicLink()) return refused(path, "is a symbolic link, which glp does not follow", `replace it with the ${kind} itself (${remove})`);
  if (kind === "file" ? !info.isFile() : !info.isDirectory()) return refused(path, `is not a regular ${kind}`, remove);
  if (!POSIX) return undefined;
  const uid = currentUid();
  if (uid !== undefined && info.uid !== uid) return refused(path, `is owned by user ${info.uid}, not by you (${uid})`, remove);
  const mode = kind === "folder" ? "700" : "600";
  if ((info.mode & 0o022) !== 0) return refused(path, "can be changed by other users", `run chmod ${mode} ${path} and check what it holds`);
  if (secret && (info.mode & 0o077) !== 0) return refused(path, "can be read by other users", `run chmod ${mode} ${path} (and check who read it)`);
  return undefined;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Throws unless `dir` is missing or a folder glp may trust (its own, not a link, not changeable by others). */
export async function checkDir(dir: string): Promise<void> {
  const info = await lstatOrUndefined(dir);
  const problem = info && trustProblem(dir, info, "folder");
  if (problem) throw problem;
}

/** Makes `dir` (and its parents) if missing; glp's own folder must be a real folder of the user's, and is narrowed to 0700. */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let handle: FileHandle;
  try {
    handle = await open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | NOFOLLOW);
  } catch (error) {
    const info = await lstatOrUndefined(dir);
    throw (info && trustProblem(dir, info, "folder")) ?? error;
  }
  try {
    const info = await handle.stat();
    const problem = trustProblem(dir, info, "folder");
    // A folder of the user's made earlier (or by hand) with wider rights is narrowed: it holds secrets.
    if (problem && !(info.isDirectory() && info.uid === currentUid() && (info.mode & 0o077) !== 0)) throw problem;
    if (POSIX && (info.mode & 0o077) !== 0) await handle.chmod(0o700);
  } finally {
    await handle.close();
  }
}

export interface ReadRules {
  /**
   * The file holds a secret: readable by others, it is refused (`refuse`), or
   * treated as missing so that it is replaced (`replace`).
   */
  readonly secret?: "refuse" | "replace" | undefined;
}

/**
 * The file's text, or undefined when it is missing. A link, a file of
 * another user's, or one others can change (or read, with `secret`) is refused.
 */
export async function readPrivate(file: string, rules: ReadRules = {}): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | NOFOLLOW | NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    const info = await lstatOrUndefined(file);
    throw (info && trustProblem(file, info, "file")) ?? error;
  }
  try {
    const info = await handle.stat();
    const problem = trustProblem(file, info, "file", rules.secret === "refuse");
    if (problem) throw problem;
    if (rules.secret === "replace" && POSIX && (info.mode & 0o077) !== 0) return undefined;
    if (info.size > MAX_BYTES) throw refused(file, `is larger than ${MAX_BYTES} bytes`, "remove it if you did not put it there");
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

/** Writes `text` to `file` readable by the owner only, replacing it atomically; a link there is refused, not followed. */
export async function writePrivate(file: string, text: string): Promise<void> {
  const existing = await lstatOrUndefined(file);
  if (existing?.isSymbolicLink()) throw trustProblem(file, existing, "file")!;
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    try {
      await handle.writeFile(text);
      // The mode asked for at creation passes through the umask; the owner-only rights are set on the open file.
      if (POSIX) await handle.chmod(0o600);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Removes `file` (a link is removed, never its target). */
export async function removePrivate(file: string): Promise<void> {
  await rm(file, { force: true });
}

/**
 * The running mocks' state file (`<config>/glp/mocks.json`): where `glp mocks start`
 * left them, so later commands (`--mock`, `glp mocks stop|reset|seed|state`) reach
 * the same mocks. The file is the user's own (0600, owned by the user) and checked
 * field by field when read: anything else is not trusted.
 */
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { configDir, privateDir, readPrivate, writePrivate, type Env } from "./files.js";

export interface RunningMocks {
  readonly pid: number;
  readonly services: readonly string[];
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly workspaceId: string;
  /** The daemon's control endpoint (loopback) and the bearer token it asks for. */
  readonly controlUrl: string;
  readonly controlToken: string;
  readonly startedAt: string;
}

export function stateFile(env: Env): string {
  return join(configDir(env), "mocks.json");
}

const LOOPBACK_URL = /^http:\/\/127\.0\.0\.1:\d{1,5}(\/[\x21-\x7e]*)?$/;

/** The state file's content if every field has the expected form; undefined otherwise. */
export function parseState(text: string): RunningMocks | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  const str = (k: string, re: RegExp) => typeof v[k] === "string" && re.test(v[k] as string);
  const ok =
    Number.isSafeInteger(v.pid) && (v.pid as number) > 1 &&
    Array.isArray(v.services) && v.services.length > 0 && v.services.every((s) => typeof s === "string" && /^[a-z0-9-]{1,64}$/.test(s)) &&
    str("baseUrl", LOOPBACK_URL) && str("tokenUrl", LOOPBACK_URL) && str("controlUrl", LOOPBACK_URL) &&
    str("clientId", /^[\x21-\x7e]{1,200}$/) && str("clientSecret", /^[\x21-\x7e]{1,200}$/) && str("workspaceId", /^[0-9a-f]{32}$/) &&
    str("controlToken", /^[0-9a-f]{64}$/) && str("startedAt", /^[\x20-\x7e]{1,40}$/);
  return ok ? (v as unknown as RunningMocks) : undefined;
}

/** The state file, if present, the user's own, private and well-formed. */
export async function readState(env: Env): Promise<RunningMocks | undefined> {
  const file = stateFile(env);
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) return undefined;
  // Another user's file (or one others can write) could point glp at their server.
  if (typeof process.getuid === "function" && info.uid !== process.getuid()) return undefined;
  const text = await readPrivate(file);
  return text === undefined ? undefined : parseState(text);
}

export async function writeState(env: Env, state: RunningMocks): Promise<void> {
  await privateDir(configDir(env));
  await writePrivate(stateFile(env), `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the state file, but only the one this process wrote (a newer daemon may have replaced it). */
export async function removeState(env: Env, pid: number): Promise<void> {
  const current = await readState(env);
  if (current === undefined || current.pid === pid) await rm(stateFile(env), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Calls the daemon's control endpoint; rejects when it does not answer 2xx. */
export async function control(state: RunningMocks, method: "GET" | "POST", path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(`${state.controlUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${state.controlToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: signal ?? AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // kept as text
  }
  if (!response.ok) {
    const message = parsed !== null && typeof parsed === "object" && typeof (parsed as { message?: unknown }).message === "string" ? (parsed as { message: string }).message : `status ${response.status}`;
    throw new Error(`the mocks refused ${method} ${path}: ${message}`);
  }
  return parsed;
}

/** The running mocks, when the state file names a live daemon that answers; a stale file is removed. */
export async function runningMocks(env: Env): Promise<RunningMocks | undefined> {
  const state = await readState(env);
  if (state === undefined) return undefined;
  if (isAlive(state.pid)) {
    try {
      await control(state, "GET", "/ping", undefined, AbortSignal.timeout(5_000));
      return state;
    } catch {
      // not answering: treated as gone
    }
  }
  await removeState(env, state.pid);
  return undefined;
}

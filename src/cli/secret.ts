/**
 * The client secret, from where the profile says: an environment variable, a
 * command (a vault CLI) or the profile file itself (0600); and the no-echo prompt
 * `glp login` asks it with.
 */
import { execFile } from "node:child_process";
import { UsageError } from "./exit-codes.js";
import type { Env } from "./files.js";
import type { SecretSource } from "./profiles.js";

export async function readSecret(source: SecretSource, env: Env): Promise<string> {
  if ("stored" in source) return source.stored;
  if ("env" in source) {
    const value = env[source.env];
    if (!value) throw new UsageError(`the profile reads the client secret from $${source.env}, which is not set`);
    return value;
  }
  return runSecretCommand(source.command, env);
}

/** Runs the command through the shell and takes its trimmed standard output; nothing of it is echoed. */
export function runSecretCommand(command: string, env: Env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("/bin/sh", ["-c", command], { env: { ...env } as NodeJS.ProcessEnv, timeout: 60_000, maxBuffer: 1 << 20 }, (error, stdout) => {
      const secret = String(stdout).trim();
      if (error) reject(new UsageError(`the secret command failed (exit ${(error as { code?: unknown }).code ?? "?"}); run it yourself to see why`));
      else if (secret === "") reject(new UsageError("the secret command printed nothing"));
      else resolve(secret);
    });
  });
}

export interface PromptIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string, io: PromptIo): Promise<string> {
  const input = io.stdin;
  if (!input.isTTY || typeof input.setRawMode !== "function") {
    return Promise.reject(new UsageError("no terminal to ask the secret on: use --secret-env VAR, --secret-command \"...\" or --secret-stdin"));
  }
  io.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const done = (error?: Error) => {
      input.removeListener("data", onData);
      input.setRawMode!(false);
      input.pause();
      io.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(Object.assign(new Error("interrupted"), { name: "AbortError" }));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    input.on("data", onData);
  });
}

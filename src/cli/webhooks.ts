/**
 * `glp webhooks verify`: checks a delivery saved from a receiver's log
 * against the webhook's secret(s) and says which secret matched, or why none
 * did. The secrets come from standard input (one per line, primary first),
 * an environment variable, a command, or the profile's `webhookSecret`
 * source; never from the command line.
 */
import { createReadStream } from "node:fs";
import { Command, CommanderError } from "commander";
import { GreenLakeWebhookError } from "../webhooks/errors.js";
import { matchSignature, parseEvents, SECOND_SIGNATURE_HEADER, SIGNATURE_HEADER } from "../webhooks/verify.js";
import { EXIT, UsageError } from "./exit-codes.js";
import type { Env } from "./files.js";
import { checkProfileName, readProfile, type SecretSource } from "./profiles.js";
import { readSecret } from "./secret.js";
import { cellText } from "./table.js";

export interface WebhooksIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly stdin: AsyncIterable<Buffer | string> | NodeJS.ReadableStream;
  readonly env: Env;
}

const USAGE = `glp webhooks verify --body <file> --header '<name>: <value>' [--header ...] (--secret-stdin | --secret-env VAR | --secret-command CMD | --profile NAME)

Checks a GreenLake webhook delivery: the HMAC-SHA256 signature of the body file's exact bytes,
in HPE-Webhook-Signature (and hpe-webhook-signature2 while a secondary secret is set), against
the webhook's secret or two secrets (primary first). Says which secret matched, or why none did.
Secrets never come from the command line: --secret-stdin reads one or two lines; a profile names
its source as "webhookSecret": {"env": "VAR"} (or {"command": "..."}) in profiles.json.
`;

/** GreenLake's deliveries are small (a receiver's default limit is 1 MiB); a body file past this is not one. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

class BodyTooLarge extends Error {}

/** The file's bytes, refusing past MAX_BODY_BYTES without reading on (`/dev/zero`, a wrong file). */
async function readBodyFile(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = createReadStream(path);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `Name: value` into a lowercase name and its value. */
export function parseHeader(text: string): [string, string] {
  const at = text.indexOf(":");
  if (at <= 0) throw new UsageError(`--header ${JSON.stringify(cellText(text).slice(0, 40))}: write it as 'Name: value', e.g. 'HPE-Webhook-Signature: sha256=…'`);
  return [text.slice(0, at).trim().toLowerCase(), text.slice(at + 1).trim()];
}

async function readAll(stream: WebhooksIo["stdin"]): Promise<string> {
  let text = "";
  for await (const chunk of stream as AsyncIterable<Buffer | string>) text += String(chunk);
  return text;
}

async function secretsFrom(opts: { secretStdin?: boolean; secretEnv?: string; secretCommand?: string; profile?: string }, io: WebhooksIo): Promise<string[]> {
  const chosen = [opts.secretStdin, opts.secretEnv, opts.secretCommand, opts.profile].filter((v) => v !== undefined && v !== false).length;
  if (chosen !== 1) throw new UsageError("give the webhook secret one way: --secret-stdin, --secret-env VAR, --secret-command CMD or --profile NAME");
  let text: string;
  if (opts.secretStdin) text = await readAll(io.stdin);
  else if (opts.secretEnv !== undefined) text = await readSecret({ env: opts.secretEnv }, io.env);
  else if (opts.secretCommand !== undefined) text = await readSecret({ command: opts.secretCommand }, io.env);
  else {
    const name = checkProfileName(opts.profile!);
    const profile = (await readProfile(io.env, name)) as { webhookSecret?: SecretSource } | undefined;
    if (profile === undefined) throw new UsageError(`no profile named "${name}"; run glp login --profile ${name}`);
    const source = profile.webhookSecret;
    if (source === undefined || typeof source !== "object") throw new UsageError(`profile "${name}" has no webhookSecret; add "webhookSecret": {"env": "VAR"} to it in profiles.json`);
    text = await readSecret(source, io.env);
  }
  const secrets = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== "");
  if (secrets.length === 0 || secrets.length > 2) throw new UsageError(`expected one or two secrets (primary first, one per line), got ${secrets.length}`);
  return secrets;
}

export async function webhooksCommand(argv: readonly string[], io: WebhooksIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === "--help" || action === "-h" || action === "help") {
    io.stdout.write(USAGE);
    return action === undefined ? EXIT.usage : EXIT.ok;
  }
  if (action !== "verify") throw new UsageError(`glp webhooks ${cellText(action).slice(0, 40)}: the only command is verify (glp webhooks --help)`);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const command = new Command("verify")
    .exitOverride()
    .helpOption(false)
    .allowExcessArguments(false)
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} })
    .requiredOption("--body <file>")
    .option("--header <header>", "", collect, [] as string[])
    .option("--secret-stdin")
    .option("--secret-env <variable>")
    .option("--secret-command <command>")
    .option("--profile <name>");
  try {
    command.parse([...rest], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) throw new UsageError(error.message.replace(/^error: /, ""));
    throw error;
  }
  const opts = command.opts() as { body: string; header: string[]; secretStdin?: boolean; secretEnv?: string; secretCommand?: string; profile?: string };
  const headers: Record<string, string> = {};
  for (const h of opts.header) {
    const [name, value] = parseHeader(h);
    headers[name] = value;
  }
  if (headers[SIGNATURE_HEADER] === undefined && headers[SECOND_SIGNATURE_HEADER] === undefined) {
    throw new UsageError("give the delivery's signature: --header 'HPE-Webhook-Signature: sha256=…' (and --header 'hpe-webhook-signature2: …' if it had one)");
  }
  let body: Buffer;
  try {
    body = await readBodyFile(opts.body);
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new UsageError(`--body ${cellText(opts.body)}: larger than ${MAX_BODY_BYTES} bytes, which no GreenLake delivery is; give the saved body file`);
    throw new UsageError(`--body ${cellText(opts.body)}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "cannot read it"}`);
  }
  const secrets = await secretsFrom(opts, io);
  const names = secrets.length === 1 ? ["the secret"] : ["the primary secret", "the secondary secret"];
  try {
    const match = await matchSignature(body, headers, secrets);
    io.stdout.write(`verified: ${match.header === SIGNATURE_HEADER ? "HPE-Webhook-Signature" : "hpe-webhook-signature2"} matches ${names[match.secretIndex]}\n`);
  } catch (error) {
    if (!(error instanceof GreenLakeWebhookError)) throw error;
    io.stderr.write(`glp: not verified (${error.reason}): ${cellText(error.message)}\n`);
    return EXIT.failed;
  }
  try {
    const events = parseEvents(body);
    for (const e of events) io.stdout.write(`event ${cellText(e.id)}: ${cellText(e.type)}${e.time === undefined ? "" : ` at ${cellText(e.time)}`}\n`);
  } catch (error) {
    if (!(error instanceof GreenLakeWebhookError)) throw error;
    io.stderr.write(`glp: the signature is right but the body is not a CloudEvent: ${cellText(error.message)}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

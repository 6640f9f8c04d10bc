/**
 * `glp`: dispatches a command line to help, login/whoami/logout, completion,
 * or an operation, and turns every failure into one line and an exit code.
 */
import { Command, CommanderError, Option } from "commander";
import { configurationError, GreenLakeAuthError } from "../errors.js";
import { redact as redactSecrets } from "../internal/redaction.js";
import type { ServiceClient } from "../service-client.js";
import { OUTPUT_FORMATS, parseOperationArgs, type OutputFormat } from "./args.js";
import { checkRegion, findOperation, loadIndex, loadRegions, loadService } from "./catalog.js";
import { tableWidth } from "./columns.js";
import type { Identity } from "./connect.js";
import { EXIT, exitCodeOf, UsageError } from "./exit-codes.js";
import { mainHelp, operationHelp, serviceHelp } from "./help.js";
import type { OperationContext } from "./operation.js";
import type { SecretSource } from "./profiles.js";
import type { Io } from "./io.js";
import { safeStreams } from "./terminal-text.js";
import { readPackageVersion as version } from "./version.js";

export type { Io } from "./io.js";

/** Options that take a value, so the scan for service and operation skips their values. */
const VALUE_OPTIONS = new Set(["-o", "--output", "--columns", "--max-items", "--concurrency", "--data", "--set", "--profile", "--region", "--tenant", "--tenant-concurrency"]);

/** The first two words that are not options (service, operation) and the rest, in order. */
export function splitCommand(argv: readonly string[]): { words: string[]; rest: string[] } {
  const words: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (words.length < 2 && !arg.startsWith("-") && arg !== "") {
      words.push(arg);
      continue;
    }
    rest.push(arg);
    if (words.length < 2 && VALUE_OPTIONS.has(arg) && i + 1 < argv.length) rest.push(argv[++i]!);
  }
  return { words, rest };
}

function outputFormat(requested: OutputFormat | undefined, io: Io): OutputFormat {
  return requested ?? (io.stdout.isTTY ? "table" : "json");
}

function commandParser(name: string): Command {
  return new Command(name).exitOverride().helpOption(false).allowExcessArguments(false).configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
}

function parseWith(command: Command, argv: readonly string[]): Record<string, unknown> {
  try {
    command.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) throw new UsageError(error.message.replace(/^error: /, ""));
    throw error;
  }
  return command.opts();
}

async function login(argv: readonly string[], io: Io): Promise<number> {
  const [{ checkProfileName, saveProfile }, { promptHidden, readSecret }, { cachedToken, forgetToken }] = await Promise.all([
    import("./profiles.js"),
    import("./secret.js"),
    import("./token-cache.js"),
  ]);
  const opts = parseWith(
    commandParser("login")
      .option("--profile <name>")
      .option("--client-id <id>")
      .option("--workspace-id <id>")
      .option("--region <name>")
      .option("--token-url <url>")
      .option("--base-url <url>")
      .option("--secret-env <variable>")
      .option("--secret-command <command>")
      .option("--secret-stdin")
      .option("--no-verify"),
    argv,
  ) as { profile?: string; clientId?: string; workspaceId?: string; region?: string; tokenUrl?: string; baseUrl?: string; secretEnv?: string; secretCommand?: string; secretStdin?: boolean; verify: boolean };
  const name = checkProfileName(opts.profile ?? io.env.GLP_PROFILE ?? "default");
  const clientId = opts.clientId ?? io.env.GREENLAKE_CLIENT_ID;
  if (!clientId) throw new UsageError("glp login needs --client-id (the API client's id from GreenLake, Manage Workspace > API)");
  const chosen = [opts.secretEnv, opts.secretCommand, opts.secretStdin].filter((v) => v !== undefined && v !== false).length;
  if (chosen > 1) throw new UsageError("choose one of --secret-env, --secret-command, --secret-stdin");
  let secret: SecretSource;
  if (opts.secretEnv !== undefined) secret = { env: opts.secretEnv };
  else if (opts.secretCommand !== undefined) secret = { command: opts.secretCommand };
  else if (opts.secretStdin) {
    let text = "";
    for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) text += String(chunk);
    secret = { stored: text.trim() };
  } else secret = { stored: (await promptHidden("Client secret (not shown): ", { stdin: io.stdin, stderr: io.stderr })).trim() };
  if ("stored" in secret && secret.stored === "") throw new UsageError("the client secret is empty");
  const workspaceId = opts.workspaceId?.replaceAll("-", "").toLowerCase();
  if (workspaceId !== undefined && !/^[0-9a-f]{32}$/.test(workspaceId)) throw new UsageError("--workspace-id: expected 32 hex digits (a hyphenated UUID is accepted)");
  const profile = { clientId, workspaceId, region: opts.region, tokenUrl: opts.tokenUrl, baseUrl: opts.baseUrl, secret };
  if (opts.verify) {
    const identity: Identity = { source: `profile ${name}`, credentials: { clientId, clientSecret: () => readSecret(secret, io.env), workspaceId, tokenUrl: opts.tokenUrl } };
    await forgetToken(io.env, identity.credentials!);
    await cachedToken(io.env, identity.credentials!, { signal: io.signal });
  }
  const file = await saveProfile(io.env, name, profile);
  io.stderr.write(`glp: profile "${name}" saved in ${file}${opts.verify ? " (credentials checked: a token was issued)" : ""}\n`);
  return EXIT.ok;
}

async function whoami(argv: readonly string[], io: Io): Promise<number> {
  const [{ resolveIdentity }, { cachedToken, issuerUrl }, { loadYaml, writeValue }] = await Promise.all([import("./connect.js"), import("./token-cache.js"), import("./output.js")]);
  const opts = parseWith(commandParser("whoami").option("--profile <name>").addOption(new Option("-o, --output <format>").choices(OUTPUT_FORMATS)), argv) as { profile?: string; output?: OutputFormat };
  const identity = await resolveIdentity(io.env, opts.profile);
  const info: Record<string, unknown> = { source: identity.source, region: identity.region ?? null, baseUrl: identity.baseUrl ?? null };
  if (identity.credentials) {
    const token = await cachedToken(io.env, identity.credentials, { signal: io.signal });
    Object.assign(info, {
      clientId: identity.credentials.clientId,
      workspaceId: identity.credentials.workspaceId ?? null,
      issuer: issuerUrl(identity.credentials),
      tokenExpires: new Date(token.expiresAt).toISOString(),
      tokenExpiresInSeconds: Math.round((token.expiresAt - Date.now()) / 1000),
    });
  } else {
    info.token = "static (GREENLAKE_TOKEN)";
  }
  const format = outputFormat(opts.output, io);
  if (format === "yaml") await loadYaml();
  writeValue(io.stdout, format === "table" ? Object.entries(info).map(([field, value]) => ({ field, value })) : info, { format, columns: format === "table" ? ["field", "value"] : undefined, width: tableWidth(io.stdout, io.env) });
  return EXIT.ok;
}

async function logout(argv: readonly string[], io: Io): Promise<number> {
  const { dropCachedToken, resolveIdentity } = await import("./connect.js");
  const opts = parseWith(commandParser("logout").option("--profile <name>"), argv) as { profile?: string };
  const identity = await resolveIdentity(io.env, opts.profile);
  await dropCachedToken(io.env, identity);
  io.stderr.write(`glp: cached token of ${identity.source} removed\n`);
  return EXIT.ok;
}

async function runOperation(service: string, opName: string, rest: readonly string[], io: Io): Promise<number> {
  const meta = await loadService(service);
  const op = findOperation(meta, opName);
  const call = parseOperationArgs(op, rest, service);
  if (call.options.help) {
    io.stdout.write(operationHelp(meta, op));
    return EXIT.ok;
  }
  if (op.deprecated) io.stderr.write(`glp: warning: ${service} ${op.name} is deprecated in HPE's document\n`);
  // What only a call needs is loaded here, so help and usage errors stay quick.
  const [{ buildBody }, { dropCachedToken, greenLake, resolveIdentity, serviceClient }, { loadYaml }, { printer, runOn }, { forEachTenant, listTenants, tagged }] = await Promise.all([
    import("./body.js"),
    import("./connect.js"),
    import("./output.js"),
    import("./operation.js"),
    import("./tenants.js"),
  ]);
  const body = await buildBody(op.body, call.options.data, call.options.set, io.stdin as AsyncIterable<Buffer>);
  const format = outputFormat(call.options.output, io);
  if (format === "yaml") await loadYaml();
  const out = printer(io.stdout, { format, columns: call.options.columns ?? op.columns, width: tableWidth(io.stdout, io.env) });
  const stderrLine = (line: string) => void io.stderr.write(`${line}\n`);
  let identity: Identity;
  let stopMocks: (() => Promise<void>) | undefined;
  const wanted = call.options.allTenants && service !== "workspace" ? [service, "workspace"] : [service];
  const running = call.options.mock ? await (await import("./mocks-state.js")).runningMocks(io.env) : undefined;
  if (running !== undefined) {
    // The mocks of glp mocks start: their state lasts from one command to the next.
    const missing = wanted.filter((s) => !running.services.includes(s));
    if (missing.length > 0) {
      throw configurationError(`the running mocks (glp mocks start) serve ${running.services.join(", ")}, not ${missing.join(", ")}; glp mocks stop, then glp mocks start with the services you need`);
    }
    identity = { source: "mocks", credentials: { clientId: running.clientId, clientSecret: async () => running.clientSecret, workspaceId: running.workspaceId, tokenUrl: running.tokenUrl }, baseUrl: running.baseUrl };
    stopMocks = async () => {};
  } else if (call.options.mock) {
    // Loaded only for --mock: a real call never loads the mock machinery.
    const { startMocks } = await import("../testing/index.js");
    const mocks = await startMocks({ services: wanted });
    stopMocks = () => mocks.stop();
    const o = mocks.clientOptions();
    identity = { source: "mocks", credentials: { clientId: String(o.clientId), clientSecret: async () => String(o.clientSecret), workspaceId: String(o.workspaceId), tokenUrl: o.tokenUrl }, baseUrl: o.baseUrl };
  } else {
    identity = await resolveIdentity(io.env, call.options.profile);
  }
  const region = call.options.region ?? identity.region;
  const regionSetting = call.options.region !== undefined ? "--region" : io.env.GREENLAKE_REGION ? "GREENLAKE_REGION" : `the region of ${identity.source}`;
  try {
    const ignored = checkRegion(meta, region, await loadRegions(), regionSetting);
    if (ignored !== undefined && call.options.region !== undefined) io.stderr.write(`glp: warning: ${ignored}\n`);
  } catch (error) {
    await stopMocks?.();
    throw error;
  }
  try {
    const tenantMode = call.options.tenant !== undefined || call.options.allTenants;
    const settings = { env: io.env, identity, region: call.options.region, verbose: call.options.verbose, stderr: stderrLine, signal: io.signal, direct: tenantMode || stopMocks !== undefined };
    const ctx: OperationContext = { service, op, call, body, signal: io.signal, stderr: io.stderr, progress: call.options.progress !== false };
    if (call.options.allTenants) {
      const gl = await greenLake(settings);
      const tenants = await listTenants(gl, io.signal);
      const failures = await forEachTenant(tenants, call.options.tenantConcurrency, io.signal, (tenant) =>
        runOn(gl.forTenant(tenant.id).service(service as never) as unknown as ServiceClient<any>, { ...ctx, progress: false }, (result) =>
          out.emit({ items: "items" in result ? result.items.map((i) => tagged(tenant, i)) : [tagged(tenant, result.value)] }),
        ),
      );
      out.end();
      for (const f of failures) io.stderr.write(`glp: tenant ${f.tenant.id}${f.tenant.name ? ` (${f.tenant.name})` : ""}: ${describeError(f.error)}\n`);
      if (failures.length > 0) io.stderr.write(`glp: ${failures.length} of ${tenants.length} tenants failed\n`);
      return failures.length > 0 ? EXIT.someTenantsFailed : EXIT.ok;
    }
    const client = call.options.tenant === undefined ? await serviceClient(settings, service) : ((await greenLake(settings)).forTenant(call.options.tenant).service(service as never) as unknown as ServiceClient<any>);
    await runOn(client, ctx, out.emit);
    out.end();
    return EXIT.ok;
  } catch (error) {
    if (error instanceof GreenLakeAuthError && stopMocks === undefined) await dropCachedToken(io.env, identity);
    throw error;
  } finally {
    await stopMocks?.();
  }
}

/** `glp help [topic]`: a section of docs/cli.md as the installed package ships it, or a service's help. */
async function help(topic: string | undefined, io: Io): Promise<number> {
  const [{ readFile }, { join }, { packageRoot }, { manualTopics, topicList }] = await Promise.all([import("node:fs/promises"), import("node:path"), import("./version.js"), import("./help.js")]);
  const root = packageRoot();
  const text = root === undefined ? undefined : await readFile(join(root, "docs", "cli.md"), "utf8").catch(() => undefined);
  const topics = manualTopics(text ?? "");
  if (topic === undefined) {
    if (topics.size === 0) throw new UsageError("the manual docs/cli.md is not in this installation of greenlake-sdk; reinstall the package");
    io.stdout.write(topicList(topics));
    return EXIT.ok;
  }
  const section = topics.get(topic.toLowerCase());
  if (section !== undefined) {
    io.stdout.write(section);
    return EXIT.ok;
  }
  if (Object.hasOwn(await loadIndex(), topic)) {
    io.stdout.write(serviceHelp(await loadService(topic)));
    return EXIT.ok;
  }
  const { suggest } = await import("./catalog.js");
  const hint = suggest(topic.toLowerCase(), [...topics.keys()]);
  throw new UsageError(`no help topic "${topic}"${hint.length > 0 ? `; did you mean ${hint.join(", ")}?` : ""} (glp help lists them)`);
}

/** One line, whatever the error: messages from commander or a server may span several. */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof UsageError) text = error.message;
  else if ((error as { name?: string })?.name === "AbortError") text = "interrupted";
  else text = redactSecrets(error instanceof Error ? error.message : String(error));
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** The arguments after the command word (a profile may be named "login" too). */
function withoutFirst(argv: readonly string[], word: string): string[] {
  const at = argv.indexOf(word);
  return [...argv.slice(0, at), ...argv.slice(at + 1)];
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const { words, rest } = splitCommand(argv);
  const [first, second] = words;
  const wantsHelp = rest.includes("--help") || rest.includes("-h");
  if (first === undefined) {
    if (rest.includes("--version") || rest.includes("-V")) {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    io.stdout.write(mainHelp(version(), await loadIndex()));
    return rest.length === 0 || wantsHelp ? EXIT.ok : EXIT.usage;
  }
  switch (first) {
    case "login":
      return login(withoutFirst(argv, first), io);
    case "whoami":
      return whoami(withoutFirst(argv, first), io);
    case "logout":
      return logout(withoutFirst(argv, first), io);
    case "help":
      return help(second, io);
    case "mocks": {
      const { mocksCommand } = await import("./mocks.js");
      return mocksCommand(withoutFirst(argv, first), io);
    }
    case "webhooks":
      return (await import("./webhooks.js")).webhooksCommand(withoutFirst(argv, first), io);
    case "completion": {
      const { bashCompletion, zshCompletion } = await import("./completion.js");
      const index = await loadIndex();
      if (second === "bash") io.stdout.write(bashCompletion(index));
      else if (second === "zsh") io.stdout.write(zshCompletion(index));
      else throw new UsageError("glp completion bash|zsh");
      return EXIT.ok;
    }
    case "__flags": {
      // Called by the completion scripts: the options of one operation.
      if (second === undefined) return EXIT.ok;
      const op = findOperation(await loadService(second), rest[0] ?? "");
      io.stdout.write(`${op.parameters.map((p) => `--${p.flag}`).join(" ")} --output --columns --raw --all --max-items --data --set --wait --profile --tenant --all-tenants --mock --verbose --help\n`);
      return EXIT.ok;
    }
  }
  if (second === undefined) {
    const service = await loadService(first);
    io.stdout.write(serviceHelp(service));
    return wantsHelp || rest.length === 0 ? EXIT.ok : EXIT.usage;
  }
  return runOperation(first, second, rest, io);
}

/** Runs glp with `argv` (without the program name); resolves to the exit code and never throws. */
export async function run(argv: readonly string[], rawIo: Io): Promise<number> {
  // Every write from here on shows control characters from outside escaped (terminal-text.ts).
  const io = safeStreams(rawIo);
  try {
    return await dispatch(argv, io);
  } catch (error) {
    const code = io.signal.aborted ? EXIT.interrupted : exitCodeOf(error);
    const prefix = code === EXIT.usage ? "glp: usage: " : "glp: ";
    io.stderr.write(`${prefix}${io.signal.aborted ? "interrupted" : describeError(error)}\n`);
    if (io.env.GLP_DEBUG && error instanceof Error && !(error instanceof UsageError)) io.stderr.write(`${redactSecrets(error.stack ?? "")}\n`);
    return code;
  }
}

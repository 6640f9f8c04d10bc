/**
 * Pacing: spaces request starts so that no budget is exceeded. A budget is
 * a stated limit (generated metadata, or an option) shared by an API client,
 * a workspace, or every caller of an operation group. Response headers
 * (`ratelimit-*`, `X-RateLimit-*`) slow a budget before a 429; a 429's
 * requested wait holds back the whole budget, not just the call that got it.
 * With a shared store every process of the fleet reserves from one budget.
 */
import { nodeCrypto } from "./node-crypto.js";
import { configurationError } from "../errors.js";
import type { Log } from "../logging.js";
import type { OperationMetadata, RateLimitScope, ServiceMetadata } from "../metadata.js";
import type { Provider } from "./credentials.js";
import { normalizeIdentity, resolveIdentity } from "./identity.js";
import { operationMatcher, pathOfUrl, type OperationMatcher } from "./operation-match.js";
import { readServerRateLimit, type ServerRateLimit } from "./rate-limit-headers.js";
import { serverRequestedDelay } from "./retry.js";
import { sleep, untilAborted } from "./timeouts.js";

export interface PacingLimit {
  requests: number;
  windowSeconds: number;
  /** Who shares the limit; default: the stated limit's scope, else the API client. */
  scope?: RateLimitScope;
}

export interface PacingOptions {
  /** Replaces (or with `false` removes) stated limits; keys are a limit's group or an operation as `METHOD /path`. */
  limits?: Record<string, PacingLimit | false>;
  /** Slow down as `ratelimit-*` / `X-RateLimit-*` response headers say; default true. */
  headers?: boolean;
  /** Share of each window kept unused against network jitter; default 0.05. */
  margin?: number;
}

/** Who budgets are kept for: the API client and workspace the client acts as, resolved and normalised (identity.ts). */
export interface PacingIdentity {
  readonly apiClient: string;
  readonly workspace: string;
}

/** What one call may still spend waiting on a shared store (see shared-state.ts). */
export interface StoreWaitLike {
  remaining(): number;
}

/** A budget store shared by processes (see shared-state.ts). */
export interface SharedBudgets {
  /** What a call with this time limit may spend waiting on the store, over all its reservations. */
  storeWait(timeoutMs?: number): StoreWaitLike;
  /** Reserves the next start; resolves to the wait in ms (at most `capMs`), or `undefined` to pace locally. */
  reserve(key: string, intervalMs: number, windowMs: number, capMs: number, wait: StoreWaitLike): Promise<number | undefined>;
  /** Holds the budget back for `delayMs` (a 429's requested wait) for every process. */
  block(key: string, delayMs: number, windowMs: number): void;
  /** Processes seen sharing recently; while the store is away each paces at this share of a budget. */
  readonly peers: number;
}

export { readServerRateLimit, type ServerRateLimit } from "./rate-limit-headers.js";

export type BudgetSource = "documents" | "overlay" | "option" | "headers" | "rateLimit";

export interface BudgetState {
  /** E.g. `workspace POST /devices/v1/devices`. */
  readonly budget: string;
  readonly scope: RateLimitScope;
  readonly source: BudgetSource;
  readonly requests?: number;
  readonly windowSeconds?: number;
  /** Starts this process may make now without waiting (local view). */
  readonly available?: number;
  /** The server's last word: remaining calls and when its window resets. */
  readonly serverRemaining?: number;
  readonly serverResetAt?: string;
  /** Set while a 429 or an exhausted window holds the budget back. */
  readonly waitUntil?: string;
  readonly shared: boolean;
}

const DEFAULT_MARGIN = 0.05;
// A server's reset or retry ask beyond this is treated as this: a bad header must not stall a client for a day.
const MAX_HOLD_MS = 3_600_000;
// Reset times read from answers in one server window differ by the answers' latency; further apart is a new window.
const SAME_WINDOW_MS = 250;

/**
 * One budget's local state: the next start it allows (spacing starts evenly
 * at the limit, so no window of the limit's length ever holds more), plus
 * what the server said (a lower limit, calls remaining until a reset, a wait).
 */
export class Budget {
  #next = 0;
  #blockedUntil = 0;
  #serverLimit: number | undefined;
  #gate: { remaining: number; resetAt: number } | undefined;
  #inFlight = 0;

  constructor(
    readonly key: string,
    readonly label: string,
    readonly scope: RateLimitScope,
    readonly source: BudgetSource,
    readonly requests: number | undefined,
    readonly windowMs: number | undefined,
    readonly margin: number,
  ) {}

  /** Spacing between starts at `now`: the stated (or lower, server-stated) limit, slower if the server's remaining calls must last to its reset. */
  intervalMs(now: number): number {
    const limit = this.#serverLimit ?? this.requests;
    let interval = limit !== undefined && this.windowMs !== undefined ? (this.windowMs * (1 + this.margin)) / limit : 0;
    const gate = this.#gate;
    if (gate !== undefined && now < gate.resetAt && gate.remaining > 0) interval = Math.max(interval, (gate.resetAt - now) / gate.remaining);
    // Rounded up to the microsecond: a fraction lost to floating point would let one start too many into a window.
    return Math.ceil(interval * 1000) / 1000;
  }

  /** Earliest start the server allows: after a 429's wait, and after the reset once its remaining calls are used. */
  notBefore(now: number): number {
    let t = this.#blockedUntil;
    const gate = this.#gate;
    if (gate !== undefined) {
      if (now >= gate.resetAt) this.#gate = undefined;
      else if (gate.remaining <= 0) t = Math.max(t, gate.resetAt);
    }
    return t;
  }

  /**
   * Books the next start (whole milliseconds, at or after `now`); `share` > 1 slows this process to its
   * part of a fleet's budget. Kept in integer microseconds so rounding never lets a start into a full window.
   */
  reserve(now: number, share = 1): number {
    const startUs = Math.max(Math.ceil(now * 1000), this.#next, Math.ceil(this.notBefore(now) * 1000));
    this.#next = startUs + Math.ceil(this.intervalMs(now) * 1000 * share);
    const start = Math.ceil(startUs / 1000);
    if (this.#gate !== undefined && start < this.#gate.resetAt) this.#gate.remaining--;
    this.#inFlight++;
    return start;
  }

  /** A call booked here got its answer (or failed): it no longer counts against what the server says remains. */
  finish(): void {
    if (this.#inFlight > 0) this.#inFlight--;
  }

  /** Records a start booked elsewhere (the shared store), so the server's remaining calls are counted here too. */
  count(start: number): void {
    if (this.#gate !== undefined && start < this.#gate.resetAt) this.#gate.remaining--;
    this.#inFlight++;
  }

  /** Takes in what the server's headers say. */
  observe(server: ServerRateLimit): void {
    // A lower limit than stated is followed (the server changed it); a higher one is not trusted over the documents.
    if (server.limit !== undefined && this.requests !== undefined) this.#serverLimit = server.limit < this.requests ? server.limit : undefined;
    if (server.remaining !== undefined && server.resetAt !== undefined) {
      // Calls still in flight may reach the server after it counted: treat them as spent.
      const remaining = Math.max(0, server.remaining - this.#inFlight);
      const gate = this.#gate;
      // Answers to concurrent calls arrive out of order: within one server window the lowest count (ours or the server's) holds.
      if (gate !== undefined && Math.abs(gate.resetAt - server.resetAt) < SAME_WINDOW_MS) gate.remaining = Math.min(gate.remaining, remaining);
      else this.#gate = { remaining, resetAt: server.resetAt };
    }
  }

  /** Holds every start back until `until` (a 429's requested wait). */
  block(until: number): void {
    if (until > this.#blockedUntil) this.#blockedUntil = until;
  }

  state(now: number, shared: boolean): BudgetState {
    const interval = this.intervalMs(now);
    const next = this.#next / 1000;
    const notBefore = Math.max(this.notBefore(now), next);
    let available: number | undefined;
    if (this.requests !== undefined && interval > 0) available = notBefore > now ? 0 : Math.min(this.requests, 1 + Math.floor((now - next) / interval));
    const held = Math.max(this.#blockedUntil, this.#gate !== undefined && this.#gate.remaining <= 0 ? this.#gate.resetAt : 0);
    return {
      budget: this.label,
      scope: this.scope,
      source: this.source,
      ...(this.requests !== undefined ? { requests: this.#serverLimit ?? this.requests } : {}),
      ...(this.windowMs !== undefined ? { windowSeconds: this.windowMs / 1000 } : {}),
      ...(available !== undefined ? { available } : {}),
      ...(this.#gate !== undefined ? { serverRemaining: this.#gate.remaining, serverResetAt: new Date(this.#gate.resetAt).toISOString() } : {}),
      ...(held > now ? { waitUntil: new Date(held).toISOString() } : {}),
      shared,
    };
  }
}

// Process-wide, so every client of one API client or workspace in this process draws on the same budgets.
const processBudgets = new Map<string, Budget>();
const MAX_PROCESS_BUDGETS = 10_000;

function budgetFor(key: string, make: () => Budget): Budget {
  let budget = processBudgets.get(key);
  if (budget === undefined) {
    if (processBudgets.size >= MAX_PROCESS_BUDGETS) processBudgets.clear();
    budget = make();
    processBudgets.set(key, budget);
  }
  return budget;
}

export interface PaceTicket {
  readonly method: string;
  readonly url: string;
  readonly budgets: readonly Budget[];
  /** `METHOD /path-template` of the call (or its concrete path when no operation matched). */
  readonly label: string;
}

/** What the transport calls around each attempt. */
export interface ServicePacing {
  /**
   * Waits until every budget of the call allows a start; resolves at once (no promise) when none holds it back.
   * `timeoutMs` (the call's time limit) also bounds how long the call waits on a shared store.
   */
  acquire(method: string, url: string, signal: AbortSignal | undefined, timeoutMs?: number): PaceTicket | Promise<PaceTicket>;
  /** Learns from the response's headers and, on 429, holds the call's budgets back for the requested wait. */
  settle(ticket: PaceTicket, response: Response): void | Promise<void>;
  /** The attempt got no response (it failed or was aborted). */
  release(ticket: PaceTicket): void;
}

export interface PacerConfig {
  /** Who the budgets belong to; a promise while providers are being resolved. */
  readonly identity: PacingIdentity | IdentitySource;
  readonly options: PacingOptions | false | undefined;
  /** The `rateLimit: { requestsPerMinute }` ceiling: one budget for every call of the client. */
  readonly requestsPerMinute?: number | undefined;
  readonly log: Log;
  readonly shared?: SharedBudgets | undefined;
  /** Longest hold a 429's requested wait puts on a budget: the retry policy's `maxRetryAfterMs`. */
  readonly maxHoldMs?: number | undefined;
}

function checkLimit(limit: unknown, key: string): PacingLimit | false {
  if (limit === false) return false;
  const l = limit as PacingLimit | null;
  if (
    l === null ||
    typeof l !== "object" ||
    !(typeof l.requests === "number" && Number.isFinite(l.requests) && l.requests > 0) ||
    !(typeof l.windowSeconds === "number" && Number.isFinite(l.windowSeconds) && l.windowSeconds > 0) ||
    (l.scope !== undefined && !["api-client", "workspace", "operation"].includes(l.scope))
  ) {
    throw configurationError(`pacing.limits["${key}"] must be false or { requests: positive number, windowSeconds: positive number, scope?: "api-client" | "workspace" | "operation" }.`);
  }
  return l;
}

/** Checks the `pacing` option; throws a GreenLakeConfigurationError naming the setting. */
export function checkPacingOptions(options: unknown): PacingOptions | false | undefined {
  if (options === undefined || options === false) return options;
  if (options === null || typeof options !== "object") throw configurationError("pacing must be false or an object ({ limits?, headers?, margin? }).");
  const o = options as PacingOptions;
  if (o.margin !== undefined && !(typeof o.margin === "number" && o.margin >= 0 && o.margin < 1)) throw configurationError("pacing.margin must be a number from 0 up to (not including) 1.");
  if (o.headers !== undefined && typeof o.headers !== "boolean") throw configurationError("pacing.headers must be a boolean.");
  for (const [key, limit] of Object.entries(o.limits ?? {})) checkLimit(limit, key);
  return o;
}

function digest(text: string): string {
  return nodeCrypto().createHash("sha256").update(text).digest("base64url").slice(0, 22);
}

/** An identity still to be resolved (its settings are providers): resolved once, before the first budget is drawn on. */
export interface IdentitySource {
  /** The identity, and whether it is final (a provider that failed is asked again at the next call). */
  resolve(): Promise<{ identity: PacingIdentity; final: boolean }>;
  /** The same API client acting in `workspace` (an MSP tenant's): its resolution asks nothing of this workspace setting. */
  inWorkspace(workspace: string): PacingIdentity | IdentitySource;
}

/**
 * The identity budgets are kept for: the resolved API client and workspace ids, normalised (a UUID in any case,
 * with or without hyphens, is one id), so every client and process of one API client shares its budgets. A
 * setting that cannot be resolved gives this client budgets of its own.
 */
export function pacingIdentity(apiClient: unknown, workspace: unknown): PacingIdentity | IdentitySource {
  // Made only when a setting is missing: a client with both ids never loads node:crypto for it.
  let own: string | undefined;
  const settle = (client: string | undefined, ws: string | undefined): PacingIdentity => {
    const c = client ?? (own ??= `client-${nodeCrypto().randomUUID()}`);
    return { apiClient: c, workspace: ws ?? `of-${c}` };
  };
  const identityIn = (workspace: unknown): PacingIdentity | IdentitySource => {
    if (typeof apiClient !== "function" && typeof workspace !== "function") return settle(normalizeIdentity(apiClient), normalizeIdentity(workspace));
    // Concurrent first calls share one resolution.
    let pending: Promise<{ identity: PacingIdentity; final: boolean }> | undefined;
    return {
      resolve() {
        pending ??= (async () => {
          const [client, ws] = await Promise.all([resolveIdentity(apiClient as Provider<string>), workspace === undefined ? undefined : resolveIdentity(workspace as Provider<string>)]);
          const final = client !== undefined && (workspace === undefined || ws !== undefined);
          if (!final) pending = undefined;
          return { identity: settle(client, ws), final };
        })();
        return pending;
      },
      inWorkspace: identityIn,
    };
  };
  return identityIn(workspace);
}

interface Stated {
  readonly requests: number;
  readonly windowSeconds: number;
  readonly scope: RateLimitScope;
  readonly group: string;
  readonly source: BudgetSource;
}

/** Paces the calls of one client (all its services), drawing on process-wide (or shared) budgets. */
export class Pacer {
  readonly #config: PacerConfig;
  readonly #options: PacingOptions | undefined;
  readonly #margin: number;
  readonly #used = new Map<string, Budget>();
  readonly #clientWide: Budget | undefined;
  #identity: PacingIdentity;
  #resolving: IdentitySource | undefined;

  /** `clientWide`: the ceiling of the client this one acts for (an MSP tenant's client keeps its parent's). */
  constructor(config: PacerConfig, clientWide?: Budget) {
    this.#config = config;
    const { identity } = config;
    if ("resolve" in identity) {
      // Until resolved, nothing is drawn: acquire() resolves first.
      this.#resolving = identity;
      this.#identity = { apiClient: "unresolved", workspace: "unresolved" };
    } else this.#identity = identity;
    this.#options = config.options === false ? undefined : (config.options ?? {});
    this.#margin = this.#options?.margin ?? DEFAULT_MARGIN;
    const rpm = config.requestsPerMinute;
    if (clientWide !== undefined) this.#clientWide = clientWide;
    else if (rpm !== undefined) {
      // The user's own ceiling, kept exactly (no margin) as `rateLimit` always did; per client, not per process.
      this.#clientWide = new Budget(`rpm:${nodeCrypto().randomUUID()}`, "client (rateLimit.requestsPerMinute)", "api-client", "rateLimit", rpm, 60_000, 0);
    }
    if (this.#clientWide !== undefined) this.#used.set(this.#clientWide.key, this.#clientWide);
  }

  /**
   * The pacer of a client acting in another workspace (an MSP tenant's): limits scoped to a workspace are that
   * workspace's budgets, while limits of the API client, of an operation for everyone, and this client's own
   * ceiling stay shared with this pacer.
   */
  forWorkspace(workspaceId: string): Pacer {
    const workspace = normalizeIdentity(workspaceId) ?? workspaceId;
    const resolving = this.#resolving;
    // A provider-based identity resolves the tenant's own way: the API client's setting, not this workspace's.
    const identity = resolving === undefined ? { apiClient: this.#identity.apiClient, workspace } : resolving.inWorkspace(workspace);
    return new Pacer({ ...this.#config, identity }, this.#clientWide);
  }

  /** Limits in force for an operation: stated ones with the options' replacements, or an option naming it. */
  #statedFor(op: OperationMetadata): Stated[] {
    const options = this.#options;
    if (options === undefined) return [];
    const opKey = `${op.method.toUpperCase()} ${op.path}`;
    const limits = options.limits ?? {};
    const out: Stated[] = [];
    for (const limit of op.rateLimits ?? []) {
      const group = limit.group ?? opKey;
      const replaced = Object.hasOwn(limits, group) ? limits[group] : Object.hasOwn(limits, opKey) ? limits[opKey] : undefined;
      if (replaced === false) continue;
      if (replaced !== undefined) out.push({ requests: replaced.requests, windowSeconds: replaced.windowSeconds, scope: replaced.scope ?? limit.scope, group, source: "option" });
      else out.push({ requests: limit.requests, windowSeconds: limit.windowSeconds, scope: limit.scope, group, source: limit.source.startsWith("overlay") ? "overlay" : "documents" });
    }
    const own = limits[opKey];
    if ((op.rateLimits ?? []).length === 0 && own !== undefined && own !== false && Object.hasOwn(limits, opKey)) {
      out.push({ requests: own.requests, windowSeconds: own.windowSeconds, scope: own.scope ?? "api-client", group: opKey, source: "option" });
    }
    return out;
  }

  #scopeId(scope: RateLimitScope): string {
    const identity = this.#identity;
    return scope === "workspace" ? `ws:${identity.workspace}` : scope === "api-client" ? `client:${identity.apiClient}` : "all";
  }

  #budget(stated: Stated): Budget {
    const scopeId = this.#scopeId(stated.scope);
    const key = digest(`${scopeId}\n${stated.group}\n${stated.requests}/${stated.windowSeconds}`);
    const budget = budgetFor(key, () => new Budget(key, `${stated.scope} ${stated.group}`, stated.scope, stated.source, stated.requests, stated.windowSeconds * 1000, this.#margin));
    this.#used.set(key, budget);
    return budget;
  }

  /** A budget learned from headers for an operation that states no limit (per API client, as HPE's guide describes). */
  #learned(label: string, create: boolean): Budget | undefined {
    const key = digest(`${this.#scopeId("api-client")}\nheaders\n${label}`);
    if (!create) return processBudgets.get(key);
    const budget = budgetFor(key, () => new Budget(key, `api-client ${label}`, "api-client", "headers", undefined, undefined, this.#margin));
    this.#used.set(key, budget);
    return budget;
  }

  /** Pacing for one service's calls; `undefined` when nothing would ever pace them. */
  forService(metadata: ServiceMetadata): ServicePacing | undefined {
    const options = this.#options;
    if (options === undefined && this.#clientWide === undefined) return undefined;
    const followHeaders = options !== undefined && options.headers !== false;
    const limited = options === undefined ? undefined : operationMatcher(metadata, (op) => this.#statedFor(op).length > 0);
    let every: OperationMatcher | undefined;
    const labelOf = (method: string, url: string): string => {
      every ??= operationMatcher(metadata);
      const op = every?.(method, url);
      return `${method} ${op?.path ?? pathOfUrl(url)}`;
    };
    const statedBudgets = new Map<OperationMetadata, Budget[]>();
    let learnedAny = false;

    const reserveHere = (budgets: readonly Budget[]): number => {
      const now = Date.now();
      let start = now;
      for (const budget of budgets) start = Math.max(start, budget.reserve(now));
      return start - now;
    };

    // The call's ticket: the budgets it draws on (none when no limit is known) and its label.
    const ticketOf = (method: string, url: string): PaceTicket & { budgets: Budget[] } => {
      const budgets: Budget[] = [];
      let label: string | undefined;
      const op = limited?.(method, url);
      if (op !== undefined) {
        let list = statedBudgets.get(op);
        if (list === undefined) {
          list = this.#statedFor(op).map((s) => this.#budget(s));
          statedBudgets.set(op, list);
        }
        budgets.push(...list);
        label = `${method} ${op.path}`;
      } else if (learnedAny) {
        label = labelOf(method, url);
        const learned = this.#learned(label, false);
        if (learned !== undefined) budgets.push(learned);
      }
      if (this.#clientWide !== undefined) budgets.push(this.#clientWide);
      return { method, url, budgets, label: label ?? "" };
    };

    const acquire = (method: string, url: string, signal: AbortSignal | undefined, timeoutMs?: number): PaceTicket | Promise<PaceTicket> => {
      const resolving = this.#resolving;
      if (resolving !== undefined) {
        // The caller's abort ends its wait on the providers (a vault that stopped answering); the resolution goes on for later calls.
        return untilAborted(resolving.resolve(), signal).then(({ identity, final }) => {
          if (this.#resolving === resolving) {
            this.#identity = identity;
            // Budgets made for an earlier, unresolved identity are made again for this one.
            statedBudgets.clear();
            if (final) this.#resolving = undefined;
          }
          return acquireNow(method, url, signal, timeoutMs);
        });
      }
      return acquireNow(method, url, signal, timeoutMs);
    };

    const acquireNow = (method: string, url: string, signal: AbortSignal | undefined, timeoutMs: number | undefined): PaceTicket | Promise<PaceTicket> => {
      const ticket = ticketOf(method, url);
      const budgets = ticket.budgets;
      if (budgets.length === 0) return ticket;
      const shared = this.#config.shared;
      if (shared !== undefined && budgets.some((b) => b.source !== "rateLimit")) return this.#acquireShared(ticket, shared, method, url, signal, timeoutMs);
      const wait = reserveHere(budgets);
      if (wait <= 0) return ticket;
      return this.#wait(ticket, wait, method, url, signal, false, () => reserveHere(budgets));
    };

    const release = (ticket: PaceTicket): void => {
      for (const budget of ticket.budgets) budget.finish();
    };

    const settle = (ticket: PaceTicket, response: Response): void | Promise<void> => {
      release(ticket);
      const status = response.status;
      if (!followHeaders && status !== 429) return;
      const now = Date.now();
      const server = followHeaders ? readServerRateLimit(response.headers, now) : undefined;
      // No copy when the call drew on no budget (most calls, when no limit is known).
      let budgets = ticket.budgets.length === 0 ? ticket.budgets : ticket.budgets.filter((b) => b.source !== "rateLimit");
      if (budgets.length === 0 && (server !== undefined || status === 429) && options !== undefined) {
        const label = ticket.label || labelOf(ticket.method, ticket.url);
        learnedAny = true;
        budgets = [this.#learned(label, true)!];
      }
      if (server !== undefined) for (const budget of budgets) budget.observe(server);
      if (status !== 429 || budgets.length === 0) return;
      return serverRequestedDelay(response).then((requested) => {
        const delay = Math.min(requested ?? 0, this.#config.maxHoldMs ?? MAX_HOLD_MS);
        if (delay <= 0) return;
        const until = Date.now() + delay;
        for (const budget of budgets) {
          budget.block(until);
          this.#config.shared?.block(budget.key, delay, budget.windowMs ?? delay);
        }
        const log = this.#config.log;
        if (log.debugEnabled) log.debug(`Pacing: 429 on ${ticket.label}; holding ${budgets.map((b) => b.label).join(", ")} for ${delay} ms`);
      });
    };

    return { acquire, settle, release };
  }

  async #acquireShared(
    ticket: PaceTicket,
    shared: SharedBudgets,
    method: string,
    url: string,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): Promise<PaceTicket> {
    // One allowance for every store command this call makes, however many budgets and re-bookings.
    const storeWait = shared.storeWait(timeoutMs);
    const { wait, local } = await this.#reserveShared(ticket, shared, storeWait);
    if (wait <= 0) return ticket;
    return this.#wait(ticket, wait, method, url, signal, !local, async () => (await this.#reserveShared(ticket, shared, storeWait)).wait);
  }

  /** Longest wait a budget's shared next start may impose: one window of its limit, plus the longest 429 hold accepted. */
  #capMs(budget: Budget): number {
    return (budget.windowMs ?? 0) * (1 + budget.margin) + (this.#config.maxHoldMs ?? MAX_HOLD_MS);
  }

  async #reserveShared(ticket: PaceTicket, shared: SharedBudgets, storeWait: StoreWaitLike): Promise<{ wait: number; local: boolean }> {
    const now = Date.now();
    let wait = 0;
    let local = false;
    for (const budget of ticket.budgets) {
      if (budget.source === "rateLimit") {
        wait = Math.max(wait, budget.reserve(now) - now);
        continue;
      }
      const fromStore = await shared.reserve(budget.key, budget.intervalMs(now), budget.windowMs ?? 1000, this.#capMs(budget), storeWait);
      if (fromStore === undefined) {
        // The store is away: pace on this process's share of the budget until it returns (at least one start
        // per window, however many peers the store last counted).
        local = true;
        const share = Math.max(1, Math.min(shared.peers, budget.requests ?? shared.peers));
        wait = Math.max(wait, budget.reserve(Date.now(), share) - Date.now());
      } else {
        const notBefore = budget.notBefore(Date.now());
        wait = Math.max(wait, fromStore, notBefore - Date.now());
        budget.count(Date.now() + fromStore);
      }
    }
    return { wait, local };
  }

  async #wait(
    ticket: PaceTicket,
    ms: number,
    method: string,
    url: string,
    signal: AbortSignal | undefined,
    shared: boolean,
    again: () => number | Promise<number>,
  ): Promise<PaceTicket> {
    const log = this.#config.log;
    if (log.debugEnabled) {
      const budgets = ticket.budgets.map((b) => `${b.label}${b.requests !== undefined ? ` (${b.requests} per ${(b.windowMs ?? 0) / 1000} s)` : ""}`).join(", ");
      log.debug(`Pacing: ${method} ${pathOfUrl(url)} waits ${Math.round(ms)} ms for ${budgets}${shared ? " (shared)" : ""}`);
    }
    try {
      return await this.#waitOut(ticket, ms, signal, again);
    } catch (error) {
      // Aborted while waiting: the booked start will not be used.
      for (const budget of ticket.budgets) budget.finish();
      throw error;
    }
  }

  async #waitOut(ticket: PaceTicket, ms: number, signal: AbortSignal | undefined, again: () => number | Promise<number>): Promise<PaceTicket> {
    await sleep(Math.ceil(ms), signal);
    // The server spoke while this call waited (a 429, its last remaining call spent): wait that out, then book
    // a new start, so calls held back together are spaced again instead of all leaving at the reset.
    for (;;) {
      const now = Date.now();
      const hold = Math.max(...ticket.budgets.map((b) => b.notBefore(now)));
      if (hold <= now) return ticket;
      await sleep(hold - now, signal);
      for (const budget of ticket.budgets) budget.finish();
      const wait = await again();
      if (wait > 0) await sleep(Math.ceil(wait), signal);
    }
  }

  /** Every budget this client has drawn on, with what is left of it. */
  state(): BudgetState[] {
    const now = Date.now();
    const shared = this.#config.shared !== undefined;
    return [...this.#used.values()].map((b) => b.state(now, shared && b.source !== "rateLimit"));
  }
}

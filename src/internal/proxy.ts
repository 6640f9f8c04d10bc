/**
 * One `proxy` setting for API calls and token requests alike: API calls get
 * an undici `ProxyAgent` as their dispatcher; token requests, which
 * simple-oauth2 makes through Node's http module, get a tunnelling agent.
 * Everything is loaded on first use, and only when a proxy is set.
 */
import type { Agent } from "node:http";
import { silenceLibraryDebug } from "./redaction.js";

export interface Proxy {
  /** The dispatcher API calls go through (an undici `ProxyAgent`). */
  dispatcher(): Promise<unknown>;
  /** The agent a token request to `target` goes through. */
  agentFor(target: URL): Promise<Agent>;
}

/**
 * The pool a ProxyAgent opens its CONNECT tunnels through, with one change: a proxy that drops the connection
 * while the tunnel is being opened fails the call. undici passes that drop on as `UND_ERR_SOCKET`, which its
 * client takes for a recoverable error on a live connection and answers by connecting again at once, in a
 * tight loop that hammers the proxy until the call's time limit (forever without one). Any other code ends
 * the request; the socket error stays its cause.
 */
function tunnelPool<T extends { connect: (...args: any[]) => unknown }>(pool: T): T {
  const connect = pool.connect.bind(pool) as (options: unknown) => Promise<unknown>;
  pool.connect = ((options: unknown) =>
    connect(options).catch((error: unknown) => {
      if ((error as { code?: unknown } | null)?.code !== "UND_ERR_SOCKET") throw error;
      throw Object.assign(new Error("the proxy closed the connection while opening the tunnel (CONNECT)", { cause: error }), { code: "ECONNRESET" });
    })) as T["connect"];
  return pool;
}

export function createProxy(proxyUrl: string): Proxy {
  let dispatcher: Promise<unknown> | undefined;
  const agents = new Map<string, Promise<Agent>>();
  return {
    dispatcher() {
      return (dispatcher ??= import("undici").then(({ ProxyAgent, Pool }) => new ProxyAgent({ uri: proxyUrl, clientFactory: (origin, options) => tunnelPool(new Pool(origin, options)) })));
    },
    agentFor(target) {
      const scheme = target.protocol;
      let agent = agents.get(scheme);
      if (agent === undefined) {
        agent =
          scheme === "https:"
            ? import("https-proxy-agent").then(({ HttpsProxyAgent }) => {
                silenceLibraryDebug("https-proxy-agent", "https-proxy-agent*");
                return new HttpsProxyAgent(proxyUrl) as unknown as Agent;
              })
            : import("http-proxy-agent").then(({ HttpProxyAgent }) => {
                silenceLibraryDebug("http-proxy-agent", "http-proxy-agent*");
                return new HttpProxyAgent(proxyUrl) as unknown as Agent;
              });
        agents.set(scheme, agent);
      }
      return agent;
    },
  };
}

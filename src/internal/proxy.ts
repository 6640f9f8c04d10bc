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

export function createProxy(proxyUrl: string): Proxy {
  let dispatcher: Promise<unknown> | undefined;
  const agents = new Map<string, Promise<Agent>>();
  return {
    dispatcher() {
      return (dispatcher ??= import("undici").then(({ ProxyAgent }) => new ProxyAgent(proxyUrl)));
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

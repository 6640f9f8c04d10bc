/** Who a client acts as: a token, or client credentials whose values may come from providers. */
import type { Secret } from "./redaction.js";

/** A value, or a function (sync or async) asked for it when it is needed. */
export type Provider<T> = T | (() => T | Promise<T>);

export type Credentials =
  | { kind: "static"; token: Secret | (() => string | Promise<string>) }
  | {
      kind: "client-credentials";
      clientId: Provider<string>;
      clientSecret: Secret | (() => string | Promise<string>);
      workspaceId: Provider<string> | undefined;
      tokenUrl: string | undefined;
    };

export function isProvider<T>(value: Provider<T>): value is () => T | Promise<T> {
  return typeof value === "function";
}

/** Resolves a `Provider` to its value. */
export async function resolveProvider<T>(value: Provider<T>): Promise<T> {
  return isProvider(value) ? await value() : value;
}

/** A token as an issuer handed it out. */
export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime in seconds as the issuer stated it. */
  readonly expiresIn: number;
}

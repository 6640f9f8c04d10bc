/**
 * The package-internal entry for the tools on top of the runtime (glp, the
 * mocks): what they need of the runtime that users do not import. Tools
 * import runtime pieces from here only (.dependency-cruiser.cjs checks it).
 */
export { CachedTokenSource, requestClientCredentialsToken, tokenLifetimeSeconds, checkAccessToken, type IssuedToken, type TokenRequestContext } from "./auth.js";
export { createRuntime, tokenRequestContext } from "./runtime.js";
export { DEFAULT_RETRY, RetryPolicy } from "./retry.js";
export { redact, registerSecret } from "./redaction.js";

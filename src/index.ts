/** Public surface of the GreenLake SDK. */
export { GreenLake, type GreenLakeServices, type ServiceKey, type ServicePaths } from "./greenlake.js";
/** Per service, its schema types: `import type { identity } from "greenlake-sdk"; type User = identity.Schemas["User"]`. */
export type * from "../generated/schemas.js";
export { createServiceClient, type CallOptions, type RequestInitOptions, type ServiceClient, type ServiceClientOptions } from "./service-client.js";
export { paginate, paginatePages, type PaginateOptions } from "./pagination.js";
export { odata, filter, type ODataFilter, type ODataValue } from "./filters.js";
export {
  waitForAsyncOperation,
  runComJob,
  waitForComJob,
  type AsyncOperation,
  type ComJob,
  type ComJobOptions,
  type WaitOptions,
} from "./async-operations.js";
export type { GreenLakeOptions, Provider, RetryOptions, RateLimitOptions } from "./options.js";
export type { BudgetState, PacingLimit, PacingOptions } from "./internal/pacing.js";
export type { SharedStateOptions } from "./internal/shared-state.js";
export type { Logger, LogLevel } from "./logging.js";
export { rateLimitOf, type RateLimitInfo } from "./logging.js";
export {
  GreenLakeError,
  GreenLakeAuthError,
  GreenLakeForbiddenError,
  GreenLakeNotFoundError,
  GreenLakeConflictError,
  GreenLakeValidationError,
  GreenLakeRateLimitedError,
  GreenLakeServerError,
  GreenLakeTimeoutError,
  GreenLakeRequestTimeoutError,
  GreenLakeAbortedError,
  GreenLakeConnectionError,
  GreenLakeConfigurationError,
  GreenLakeOperationError,
  GreenLakeRequestError,
  GreenLakePaginationError,
  GreenLakeResponseTooLargeError,
  unwrap,
  type GreenLakeErrorDetail,
} from "./errors.js";
export type { ServiceMetadata, OperationMetadata, PaginationMetadata, PaginationStyle, RateLimitMetadata, RateLimitScope } from "./metadata.js";

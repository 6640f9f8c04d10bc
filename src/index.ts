/** Public surface of the GreenLake SDK. */
export { GreenLake, type GreenLakeServices, type ServiceKey, type ServicePaths } from "./greenlake.js";
export { createServiceClient, type ServiceClient, type ServiceClientOptions } from "./service-client.js";
export type { GreenLakeOptions, Provider, RetryOptions, RateLimitOptions } from "./options.js";
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
  GreenLakeConnectionError,
  GreenLakeConfigurationError,
  GreenLakeOperationError,
  type GreenLakeErrorDetail,
} from "./errors.js";
export type { ServiceMetadata, OperationMetadata, PaginationMetadata, PaginationStyle } from "./metadata.js";

/**
 * `greenlake-sdk/webhooks`: receive GreenLake's webhooks safely. Verification
 * uses WebCrypto only, so this entry runs on Node 20+, Deno, Bun and Workers.
 *
 * ```ts
 * import { createWebhookHandler } from 'greenlake-sdk/webhooks';
 * const handler = createWebhookHandler({ secrets: process.env.WEBHOOK_SECRET!, onEvent: (event) => console.log(event.type) });
 * http.createServer(handler.node).listen(8080);
 * ```
 */
export { GreenLakeWebhookError, type WebhookRejection } from "./errors.js";
export {
  isEventType,
  VERIFICATION_EVENT_TYPE,
  type AuditLog,
  type CloudEvent,
  type ComJob,
  type ComServer,
  type Device,
  type EventDataByType,
  type GreenLakeEvent,
  type KnownEvent,
  type KnownEventType,
  type Location,
  type ResourceChange,
  type Subscription,
  type User,
  type Webhook,
} from "./events.js";
export {
  createWebhookHandler,
  retryLater,
  slowDown,
  type ComWebhookOptions,
  type WebhookAnswer,
  type WebhookEventContext,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookRequest,
  type WebhookRetry,
} from "./handler.js";
export { memorySeenStore, redisSeenStore, type MemorySeenStoreOptions, type RedisSeenStoreOptions, type SeenStore } from "./seen.js";
export { hmacHex, signatureHeader, type RawBody } from "./signature.js";
export {
  answerChallenge,
  answerComHandshake,
  COM_CHALLENGE_HEADER,
  COM_EVENT_TYPE_HEADER,
  matchSignature,
  SECOND_SIGNATURE_HEADER,
  SIGNATURE_HEADER,
  verifyWebhook,
  type HeadersLike,
  type Secrets,
  type SignatureMatch,
  type VerifyWebhookOptions,
} from "./verify.js";

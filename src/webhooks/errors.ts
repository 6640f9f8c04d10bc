/**
 * The one error `verifyWebhook` throws for a delivery it refuses. Its message
 * says what was wrong and what to check; it never holds a secret, a signature
 * or the body (a body may carry data the receiver must not log).
 */
export type WebhookRejection = "missing-signature" | "bad-signature" | "malformed-body" | "replayed" | "too-old";

export class GreenLakeWebhookError extends Error {
  override name = "GreenLakeWebhookError";
  /** Why the delivery was refused; a handler maps it to the status GreenLake expects. */
  readonly reason: WebhookRejection;
  /** Ids of the events concerned (replayed, too old), when the body could be read. */
  readonly eventIds: readonly string[];

  constructor(reason: WebhookRejection, message: string, eventIds: readonly string[] = []) {
    super(message);
    this.reason = reason;
    this.eventIds = eventIds;
  }
}

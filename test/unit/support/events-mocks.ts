/**
 * The mocks' state layer and webhook delivery over the event service's
 * documents, on a manual clock, for the webhook delivery tests.
 */
import { join } from "node:path";
import { serviceMetadata } from "../../../generated/services/index.js";
import type { OperationMetadata } from "../../../src/metadata.js";
import { collectionModels } from "../../../src/testing/collections.js";
import { defaultAsyncSettings } from "../../../src/testing/async-work.js";
import { documentsOf, findDocumentsDir } from "../../../src/testing/documents.js";
import { DocumentSchemas } from "../../../src/testing/schemas.js";
import { StateLayer, type StateRequest } from "../../../src/testing/state-layer.js";
import { StateStore } from "../../../src/testing/state-store.js";
import { manualClock } from "../../../src/testing/webhook-clock.js";
import { WebhookDelivery } from "../../../src/testing/webhook-delivery.js";

/** The event service's document schemas, by document key. */
export async function eventSchemas(): Promise<Map<string, DocumentSchemas>> {
  const keys = documentsOf(["event"]);
  const dir = await findDocumentsDir(keys);
  return new Map(keys.map((k) => [k, DocumentSchemas.load(join(dir, `${k}.json`))]));
}

/** A fresh store, state layer and delivery; `call` sends one request to the delivery's routes. */
export function mocksOfEvents(schemas: Map<string, DocumentSchemas>, retryDelaysMs: readonly number[]) {
  const operations = serviceMetadata.event.operations as readonly OperationMetadata[];
  const models = collectionModels(operations, (d) => schemas.get(d));
  const store = new StateStore({ seed: "webhooks", sizeOf: () => 0 });
  const clock = manualClock();
  const layer = new StateLayer({ models, store, schemasOf: (d) => schemas.get(d), asyncTemplates: new Map(), settings: defaultAsyncSettings(), generateUnknownItems: false, now: () => clock.now() });
  const delivery = new WebhookDelivery({ store, models, layer, options: { clock, retryDelaysMs, answerTimeoutMs: 5_000 } });
  const routes = delivery.routes(layer);
  const call = async (method: string, path: string, pathname: string, body: unknown) => {
    const document = operations.find((o) => o.path === path && o.method === method)!.document;
    const request: StateRequest = { method, operation: { document, path }, pathname, query: new URLSearchParams(), body };
    return (await routes.handle(request))!;
  };
  return { delivery, call, store, models };
}

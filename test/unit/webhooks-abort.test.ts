import http from "node:http";
import net from "node:net";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { createWebhookHandler } from "../../src/webhooks/index.js";

describe("webhook handler: a client that aborts mid-body", () => {
  it("does not reject the node listener's promise (an unhandled rejection ends the process)", async () => {
    const errors: unknown[] = [];
    const handler = createWebhookHandler({ secrets: "s3cret", onEvent: () => {}, onError: (e) => errors.push(e) });
    const outcomes: Array<"resolved" | "rejected"> = [];
    let requested!: () => void;
    const reading = new Promise<void>((r) => (requested = r));
    let settled!: () => void;
    const done = new Promise<void>((r) => (settled = r));
    const server = http.createServer((req, res) => {
      requested();
      handler
        .node(req, res)
        .then(
          () => outcomes.push("resolved"),
          () => outcomes.push("rejected"),
        )
        .finally(settled);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as net.AddressInfo;
    const socket = net.connect(port, "127.0.0.1");
    await once(socket, "connect");
    socket.write('POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"partial":');
    await reading;
    socket.destroy();
    await done;
    server.close();
    expect(outcomes).toEqual(["resolved"]);
    expect(errors).toHaveLength(1);
  });

  it("answers a WHATWG request whose body stream errors with 400, not a rejection", async () => {
    const handler = createWebhookHandler({ secrets: "s3cret", onEvent: () => {}, onError: () => {} });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("{"));
        controller.error(new Error("connection reset"));
      },
    });
    const request = new Request("http://127.0.0.1/hook", { method: "POST", body, duplex: "half" } as RequestInit);
    const response = await handler.fetch(request);
    expect(response.status).toBe(400);
  });
});

/**
 * A TCP server on 127.0.0.1 that answers every connection's first bytes with whatever raw bytes the test set
 * last, then closes it: for answers no HTTP library would write (odd header names, bytes past ASCII).
 */
import net from "node:net";

export interface RawServer {
  readonly url: string;
  /** The bytes the next connection gets. */
  answer: Buffer;
  close(): Promise<void>;
}

export async function startRawServer(): Promise<RawServer> {
  const raw = { answer: Buffer.alloc(0) } as { answer: Buffer };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("data", () => socket.end(raw.answer));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(raw, {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`,
    // A client may keep its half of a connection open until its own idle timeout: closing does not wait for it.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  });
}

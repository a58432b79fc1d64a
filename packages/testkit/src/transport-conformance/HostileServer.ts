/**
 * A raw TCP server for the hostile-response property test: node:http cannot write malformed
 * framing or garbage status lines, so this one writes whatever bytes the test sets, verbatim.
 */
import * as net from "node:net";
import { listenOnLoopback } from "./Loopback.ts";

/** A running hostile server: set `next`, send a request, read what the adapter made of it. */
export interface HostileServer {
  readonly baseUrl: string;
  /** The bytes the next request is answered with. */
  next: Uint8Array;
  readonly close: () => Promise<void>;
}

/** A raw TCP server that answers every request with `next`, byte for byte, then closes. */
export const startHostileServer = async (): Promise<HostileServer> => {
  const sockets = new Set<net.Socket>();
  const state: { next: Uint8Array } = { next: new Uint8Array(0) };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let seen = "";
    socket.on("data", (data) => {
      seen += data.toString("latin1");
      if (!seen.includes("\r\n\r\n")) return;
      seen = "";
      socket.end(state.next);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    set next(bytes: Uint8Array) {
      state.next = bytes;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
};

/**
 * Loopback listening for the transport suite's own servers (the fault server, the raw hostile
 * server, and a port nobody listens on): port 0 on 127.0.0.1, so parallel runs never collide.
 */
import * as net from "node:net";
import { Effect } from "effect";

/** Starts `server` on an ephemeral port of 127.0.0.1 and answers that port. */
export const listenOnLoopback = async (server: net.Server): Promise<number> => {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return (server.address() as net.AddressInfo).port;
};

/** A port nothing listens on: bound once, then closed. */
export const closedPort = Effect.promise(async () => {
  const server = net.createServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((done) => server.close(() => done()));
  return port;
});

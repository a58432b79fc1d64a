// A TCP relay on port 0 in front of the test cluster that a test can cut and mend: one
// replica loses the database while the others keep it (a network partition), which stopping
// the server cannot show.
import { createConnection, createServer, type Socket } from "node:net";
import { Effect, Redacted, type Scope } from "effect";
import type { PostgresStoreOptions } from "../src/index.ts";

export interface TcpCut {
  /** `options` with the URL pointed at the relay. */
  readonly options: PostgresStoreOptions;
  /** Drop every connection and refuse new ones (they are accepted and closed at once). */
  readonly cut: () => void;
  readonly mend: () => void;
}

/** A relay to `options`' server, closed with the scope. */
export const tcpCut = (options: PostgresStoreOptions): Effect.Effect<TcpCut, never, Scope.Scope> =>
  Effect.gen(function* () {
    const target = new URL(Redacted.value(options.url));
    const sockets = new Set<Socket>();
    let open = true;
    const server = createServer((client) => {
      if (!open) return void client.destroy();
      const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    const port = yield* Effect.acquireRelease(
      Effect.promise(
        () =>
          new Promise<number>((resolve) =>
            server.listen(0, "127.0.0.1", () => {
              const address = server.address();
              resolve(typeof address === "object" && address !== null ? address.port : 0);
            }),
          ),
      ),
      () =>
        Effect.promise(() => {
          for (const socket of sockets) socket.destroy();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        }),
    );
    const relayed = new URL(target);
    relayed.hostname = "127.0.0.1";
    relayed.port = String(port);
    return {
      options: { ...options, url: Redacted.make(relayed.toString()) },
      cut: () => {
        open = false;
        for (const socket of sockets) socket.destroy();
      },
      mend: () => {
        open = true;
      },
    };
  });

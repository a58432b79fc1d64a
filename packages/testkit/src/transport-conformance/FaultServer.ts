/**
 * A node:http server on loopback whose routes (`FaultRoutes.ts`) misbehave on purpose, for what
 * the emulator cannot show an adapter test: the server-side view of a closed socket, repeated
 * headers, raw hostile bytes. It records, per path, when a request started and when its socket
 * closed, so a test can prove an adapter really let go of a connection.
 */
import * as http from "node:http";
import type { Vitest } from "@effect/vitest";
import type { HttpTransport } from "@miro-token/core";
import { Context, Effect, Layer } from "effect";
import { route } from "./FaultRoutes.ts";
import { listenOnLoopback } from "./Loopback.ts";

/** What the fault server saw of one socket: it closed, after writing this many bytes. */
export interface SocketClosed {
  readonly bytesWritten: number;
}

interface Deferred<A> {
  readonly promise: Promise<A>;
  readonly resolve: (value: A) => void;
}

const deferred = <A>(): Deferred<A> => {
  let resolve: (value: A) => void = () => undefined;
  const promise = new Promise<A>((done) => {
    resolve = done;
  });
  return { promise, resolve };
};

/**
 * A node:http server on port 0 whose routes misbehave on purpose. Each test uses its own path
 * (`/hang/<n>`), and `closed(path)` resolves when the socket that served `path` closes.
 */
export class FaultServer extends Context.Service<
  FaultServer,
  {
    readonly baseUrl: string;
    readonly closed: (path: string) => Promise<SocketClosed>;
    readonly started: (path: string) => Promise<void>;
  }
>()("@miro-token/testkit/FaultServer") {
  /** The server, started on loopback and closed (with every connection) with the scope. */
  static readonly layer = Layer.effect(
    FaultServer,
    Effect.acquireRelease(
      Effect.promise(async () => {
        const closes = new Map<string, Deferred<SocketClosed>>();
        const starts = new Map<string, Deferred<void>>();
        const entry = <A>(map: Map<string, Deferred<A>>, key: string): Deferred<A> => {
          const existing = map.get(key);
          if (existing !== undefined) return existing;
          const created = deferred<A>();
          map.set(key, created);
          return created;
        };
        const server = http.createServer((req, res) => {
          const path = new URL(req.url ?? "/", "http://localhost").pathname;
          const socket = req.socket;
          socket.once("close", () =>
            entry(closes, path).resolve({ bytesWritten: socket.bytesWritten }),
          );
          route(path, req, res, () => entry(starts, path).resolve());
        });
        const port = await listenOnLoopback(server);
        return {
          server,
          service: FaultServer.of({
            baseUrl: `http://127.0.0.1:${port}`,
            closed: (path) => entry(closes, path).promise,
            started: (path) => entry(starts, path).promise,
          }),
        };
      }),
      ({ server }) =>
        Effect.promise(() => {
          server.closeAllConnections();
          return new Promise<void>((done) => server.close(() => done()));
        }),
    ).pipe(Effect.map(({ service }) => service)),
  );
}

/** The `it` of the suite's half that runs against the fault server. */
export type FaultServerIt = Vitest.MethodsNonLive<HttpTransport | FaultServer>;

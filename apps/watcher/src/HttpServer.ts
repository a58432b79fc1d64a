/**
 * The watcher's HTTP face: the routes of `http/Routes.ts` (an effect `HttpRouter` app) served
 * on a Node HTTP server by `@effect/platform-node`'s `NodeHttpServer`, as a scoped effect:
 * {@link serveHttp} listens when run and closes when its scope closes (the watcher runs it in
 * its layer's scope).
 *
 * Closing ends every `/events` stream first (each response completes), then the server stops
 * accepting, idle keep-alive connections close at once and any connection still open after a
 * second is cut: the scope is closed only when no connection is left.
 *
 * The server refuses to start beyond loopback without an access token (`HttpAccess.ts`).
 * Node answers 431 to oversized request headers and 400 to malformed requests before any
 * route runs; keep-alive connections idle for 5 s are closed.
 *
 * @since 0.1.0
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer";
import { Data, Effect, type Scope } from "effect";
import { HttpRouter } from "effect/http";
import { accessProblem, type HttpAccess } from "./HttpAccess.ts";
import { type Health, type RoutesOptions, routesLayer, tokensDocument } from "./http/Routes.ts";
import { makeSseHub } from "./http/SseHub.ts";
import type { Metrics } from "./Metrics.ts";
import type { StatusBoard } from "./StatusBoard.ts";

export type { Health } from "./http/Routes.ts";

/**
 * Options of {@link serveHttp}.
 *
 * @category models
 * @since 0.1.0
 */
export interface HttpServerOptions {
  readonly board: StatusBoard;
  readonly metrics: Metrics;
  readonly health: () => Health;
  readonly port: number;
  readonly host: string;
  /** @default 15000 */
  readonly keepAliveInterval?: number | undefined;
  /** @default 1 MiB */
  readonly maxBufferedBytes?: number | undefined;
  /** Host allow-list additions and the access token. @default loopback names only, no token */
  readonly access?: HttpAccess | undefined;
  /** Webhook delivery state, shown in `/tokens` when webhooks are on. */
  readonly webhooks?: (() => unknown) | undefined;
}

/**
 * A listening server, while its scope is open.
 *
 * @category models
 * @since 0.1.0
 */
export interface ServedHttp {
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  /** Open `/events` streams. */
  readonly sseClients: () => number;
}

/**
 * The server could not start: beyond loopback without an access token, or the address could
 * not be bound (`code`: the system's, e.g. `EADDRINUSE`). The message names no secret.
 *
 * @category errors
 * @since 0.1.0
 */
export class HttpServeError extends Data.TaggedError("HttpServeError")<{
  readonly message: string;
  readonly code?: string | undefined;
}> {}

/** How long connections may stay open once the server is closing. */
const CLOSE_GRACE_MS = 1_000;

/**
 * Bound the close of `server`: once closing starts, connections left after the grace period
 * are cut; the finalizer added here (first, so it runs last) waits until none is left.
 */
const boundedClose = (server: Server) =>
  Effect.gen(function* () {
    let listening = false;
    let closed = false;
    server.once("listening", () => {
      listening = true;
    });
    const whenClosed = new Promise<void>((resolve) =>
      server.once("close", () => {
        closed = true;
        resolve();
      }),
    );
    yield* Effect.addFinalizer(() =>
      listening && !closed ? Effect.promise(() => whenClosed) : Effect.void,
    );
    /** Start the grace period (run when closing begins). */
    return Effect.sync(() => {
      if (!listening || closed) return;
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      force.unref();
      void whenClosed.then(() => clearTimeout(force));
    });
  });

/**
 * Serve the watcher's routes until the scope closes. Fails with {@link HttpServeError} when
 * the server cannot start.
 *
 * @category constructors
 * @since 0.1.0
 */
export const serveHttp = (
  options: HttpServerOptions,
): Effect.Effect<ServedHttp, HttpServeError, Scope.Scope> =>
  Effect.gen(function* () {
    const problem = accessProblem(options.host, options.access);
    if (problem !== undefined) return yield* new HttpServeError({ message: problem });
    const hub = yield* makeSseHub({
      board: options.board,
      snapshot: () => tokensDocument(options.board, options.webhooks),
      keepAliveInterval: options.keepAliveInterval,
      maxBufferedBytes: options.maxBufferedBytes,
    });
    const server = createServer();
    server.keepAliveTimeout = 5_000;
    const startGrace = yield* boundedClose(server);
    const node = yield* NodeHttpServer.make(() => server, {
      port: options.port,
      host: options.host,
      gracefulShutdownTimeout: CLOSE_GRACE_MS,
    }).pipe(
      Effect.mapError((error) => {
        const code = (error.cause as { code?: unknown } | undefined)?.code;
        return new HttpServeError({
          message: `cannot listen on ${options.host}:${options.port}`,
          code: typeof code === "string" ? code : undefined,
        });
      }),
    );
    const routes: RoutesOptions = options;
    const app = yield* HttpRouter.toHttpEffect(routesLayer(routes, hub));
    yield* node.serve(app);
    // Added last, so it runs first: end the streams, then let the server close.
    yield* Effect.addFinalizer(() => Effect.andThen(hub.close, startGrace));
    const port = (server.address() as AddressInfo).port;
    const host = options.host.includes(":") ? `[${options.host}]` : options.host;
    return { port, url: `http://${host}:${port}`, sseClients: hub.clients };
  });

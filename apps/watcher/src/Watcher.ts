/**
 * The watcher, wired: open the store, show what it holds, serve HTTP, watch every token with
 * `watchStore$` (core's `TokenWatcher.watchMany` through `@miro-token/rx`) and publish each
 * status change to the board, the NDJSON log, the metrics and the SSE clients.
 *
 * `startWatcher` is what the binary runs and what tests run in-process. Its `close()` is the
 * graceful shutdown: stop probing (unsubscribing interrupts the watch; core lets an in-flight
 * refresh finish and persist before its fiber ends), wait for the watch to end — at most
 * `shutdownTimeout` — then close the HTTP server and release the store and the transport.
 * When the watch ends, the layer's last finalizer reports it, so "ended" means every loop and
 * every pooled socket is gone. A process killed instead leaves a valid store: store-file writes
 * are atomic (temp file, fsync, rename).
 *
 * @since 0.1.0
 */
import {
  fingerprint,
  type HttpTransport,
  MiroConfig,
  type MiroConfigOptions,
  type StoreError,
  scanStore,
  TokenClient,
  TokenStore,
  type TokenStoreShape,
  type UnreadableEntry,
  type WatchedStatus,
  type WatchOptions,
  WatchSchedule,
} from "@miro-token/core";
import { watchStore$ } from "@miro-token/rx";
import { NodeTransport } from "@miro-token/transport-node";
import { Context, Effect, Exit, Layer, Logger, Result, Scope } from "effect";
import {
  encodeLine,
  type LifecycleLine,
  type LineSink,
  statusLine,
  streamSink,
} from "./EventLog.ts";
import type { HttpAccess } from "./HttpAccess.ts";
import { type Health, startHttpServer } from "./HttpServer.ts";
import { makeMetrics } from "./Metrics.ts";
import { observedTransport } from "./ObservedTransport.ts";
import { makeStatusBoard, type StatusBoard } from "./StatusBoard.ts";
import { startWebhooks, type WebhookOptions } from "./webhooks/Webhooks.ts";

/**
 * Options of {@link startWatcher}.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatcherOptions {
  /** The store to watch: any `TokenStore` layer (e.g. `FileTokenStore.layer({directory})`). */
  readonly store: Layer.Layer<TokenStore, StoreError>;
  /** Base URL, client credentials, timeouts, retry (core's `MiroConfig` options). */
  readonly miro?: MiroConfigOptions | undefined;
  /** Cadence, refresh window, concurrency (core's `WatchOptions`). */
  readonly watch?: WatchOptions | undefined;
  /** @default 8720 (0 picks a free port) */
  readonly port?: number | undefined;
  /** @default "127.0.0.1" */
  readonly host?: string | undefined;
  /** Host allow-list additions and the HTTP access token (required beyond loopback). */
  readonly access?: HttpAccess | undefined;
  /** Where NDJSON lines go. @default stdout */
  readonly output?: LineSink | undefined;
  /** The transport under the observing one. @default `NodeTransport.layer` */
  readonly transport?: Layer.Layer<HttpTransport> | undefined;
  /** Longest wait for the watch to end (an in-flight refresh) at close, ms. @default 4000 */
  readonly shutdownTimeout?: number | undefined;
  /** SSE keep-alive comment interval, ms. @default 15000 */
  readonly keepAliveInterval?: number | undefined;
  /** Credits per token-info request, for the probe-credits counter. @default 50 */
  readonly probeCost?: number | undefined;
  /** Signed webhooks on state changes (needs a store with an outbox). */
  readonly webhooks?: WebhookOptions | undefined;
}

/**
 * A running watcher.
 *
 * @category models
 * @since 0.1.0
 */
export interface RunningWatcher {
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  readonly board: StatusBoard;
  /**
   * Shut down gracefully (idempotent). `clean` is false when the watch had to be abandoned
   * after `shutdownTimeout`.
   */
  readonly close: (signal?: string) => Promise<{ readonly clean: boolean }>;
}

/**
 * A failure to start (store directory unusable, port taken): a message fit for a person, no
 * secret. One unreadable token file is not one: it is quarantined.
 *
 * @category errors
 * @since 0.1.0
 */
export class WatcherStartError extends Error {
  override readonly name = "WatcherStartError";
}

const now = () => new Date().toISOString();

/**
 * Open the store in `scope` and scan it (so a store that cannot be opened or listed fails at
 * start, clearly). An entry it cannot read does not fail the start: it is quarantined.
 */
const openStore = (layer: Layer.Layer<TokenStore, StoreError>, scope: Scope.Closeable) =>
  Effect.gen(function* () {
    const context = yield* Layer.buildWithScope(layer, scope);
    const store = Context.get(context, TokenStore);
    const { entries, unreadable } = yield* scanStore(store);
    const listed = yield* Effect.forEach(entries, (entry) =>
      Effect.map(fingerprint(entry.tokenSet.accessToken), (value) => ({
        id: entry.id,
        generation: entry.generation,
        fingerprint: value,
        expiresAt: entry.tokenSet.expiresAt,
      })),
    );
    return { store, listed, unreadable };
  });

/** `store`, with every scan's unreadable entries reported to `onScan` (the board). */
const reportingUnreadable = (
  store: TokenStoreShape,
  onScan: (unreadable: ReadonlyArray<UnreadableEntry>) => void,
): TokenStoreShape => ({
  ...store,
  scan: () =>
    scanStore(store).pipe(Effect.tap(({ unreadable }) => Effect.sync(() => onScan(unreadable)))),
});

/**
 * Start the watcher. Rejects with {@link WatcherStartError} when the store cannot be opened
 * or listed, or the port cannot be bound.
 *
 * @category constructors
 * @since 0.1.0
 */
export const startWatcher = async (options: WatcherOptions): Promise<RunningWatcher> => {
  const output = options.output ?? streamSink();
  const log = (line: LifecycleLine) => output(encodeLine(line));
  const shutdownTimeout = options.shutdownTimeout ?? 4_000;

  const storeScope = Effect.runSync(Scope.make());
  const releaseStore = () => Effect.runPromise(Scope.close(storeScope, Exit.void));
  // Effect's logs (a store's warnings) go to stderr: stdout carries only the NDJSON.
  const opened = await Effect.runPromise(
    Effect.result(openStore(options.store, storeScope)).pipe(
      Effect.provideService(Logger.LogToStderr, true),
    ),
  );
  if (Result.isFailure(opened)) {
    await releaseStore();
    const { operation, reason } = opened.failure;
    throw new WatcherStartError(`cannot open the token store (${operation}: ${reason})`);
  }
  const { store, listed, unreadable } = opened.success;
  const outbox = store.outbox;
  if (options.webhooks !== undefined && outbox === undefined) {
    await releaseStore();
    throw new WatcherStartError("webhooks need a store with an outbox; this store has none");
  }

  const board = makeStatusBoard();
  const startedAt = Date.now();
  for (const entry of listed) board.addPending(entry, entry.expiresAt, startedAt);
  const webhooks =
    options.webhooks === undefined || outbox === undefined
      ? undefined
      : startWebhooks(
          store,
          outbox,
          board,
          options.webhooks,
          WatchSchedule.resolveWatchOptions(options.watch).refreshTokenAge,
        );

  let sseClients = () => 0;
  const metrics = makeMetrics({
    board,
    probeCost: options.probeCost,
    sseClients: () => sseClients(),
    extra: webhooks?.metricsText,
  });
  board.subscribe((change) => {
    metrics.observeChange(change);
    output(encodeLine(statusLine(change.view)));
    webhooks?.onChange(change);
  });

  let health: Health = { status: "ok" };
  // Quarantined entries degrade an otherwise healthy watcher (see HttpServer's `/healthz`).
  const currentHealth = (): Health => {
    const quarantined = board.quarantined();
    return health.status === "ok" && quarantined > 0 ? { status: "degraded", quarantined } : health;
  };
  let http: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    http = await startHttpServer({
      board,
      metrics,
      health: currentHealth,
      port: options.port ?? 8720,
      host: options.host ?? "127.0.0.1",
      keepAliveInterval: options.keepAliveInterval,
      access: options.access,
      webhooks: webhooks?.summary,
    });
  } catch (error) {
    await webhooks?.close();
    metrics.close();
    await releaseStore();
    const code = (error as { code?: unknown }).code;
    throw new WatcherStartError(
      `cannot listen on ${options.host ?? "127.0.0.1"}:${options.port ?? 8720} (${String(code ?? error)})`,
    );
  }
  sseClients = http.sseClients;
  log({
    time: now(),
    event: "listening",
    url: http.url,
    port: http.port,
    tokens: listed.length,
    quarantined: unreadable.length,
  });
  // After the listening line, so each quarantined entry gets its own status line.
  board.quarantine(unreadable, Date.now());

  // The watch's layer. Its first-built part is a finalizer that runs last, once the watch
  // stream, its loops, the client and the transport's pools are all released.
  const { promise: watchEnded, resolve: endWatch } = Promise.withResolvers<void>();
  const ended = Layer.effectDiscard(Effect.addFinalizer(() => Effect.sync(() => endWatch())));
  const client = TokenClient.layer.pipe(
    Layer.provide(
      Layer.merge(
        observedTransport(metrics, options.transport ?? NodeTransport.layer),
        MiroConfig.layer(options.miro ?? {}),
      ),
    ),
  );
  const watched = reportingUnreadable(store, (entries) => board.quarantine(entries, Date.now()));
  const layer = Layer.mergeAll(
    client,
    Layer.succeed(TokenStore, watched),
    Layer.succeed(Logger.LogToStderr, true),
  ).pipe(Layer.provideMerge(ended));
  let closing: Promise<{ readonly clean: boolean }> | undefined;
  const subscription = watchStore$({ layer, ...options.watch }).subscribe({
    next: (event: WatchedStatus) => {
      board.apply(event, Date.now());
    },
    error: (error: unknown) => {
      const tag = (error as { _tag?: unknown })._tag;
      health = { status: "failed", error: typeof tag === "string" ? tag : "watch failed" };
    },
    complete: () => {
      // The watch never ends by itself; if it does (the runtime shut down), say so.
      if (closing === undefined) health = { status: "failed", error: "watch ended" };
    },
  });

  const close = (signal = "close") => {
    closing ??= (async () => {
      health = { status: "stopping" };
      log({ time: now(), event: "stopping", signal });
      subscription.unsubscribe();
      let timer: NodeJS.Timeout | undefined;
      const clean = await Promise.race([
        watchEnded.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), shutdownTimeout);
        }),
      ]);
      clearTimeout(timer);
      await http.close();
      await webhooks?.close();
      metrics.close();
      await releaseStore();
      log({ time: now(), event: "stopped", clean });
      return { clean };
    })();
    return closing;
  };

  return { port: http.port, url: http.url, board, close };
};

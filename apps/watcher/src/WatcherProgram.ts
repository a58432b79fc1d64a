/**
 * The body of the `Watcher` layer (`Watcher.ts` loads it with `import()`, so `--help` starts
 * without the store, the HTTP server and the transport): each part acquired as a scoped
 * resource, each released in reverse at shutdown. The HTTP server (`HttpServer.ts`'s scoped
 * `serveHttp`) lives in the same scope: it closes before the metrics and the webhooks.
 *
 * @since 0.1.0
 */
import {
  fingerprint,
  MiroConfig,
  type StoreError,
  scanStore,
  TokenClient,
  TokenStore,
  type TokenStoreShape,
  TokenWatcher,
  type UnreadableEntry,
  WatchSchedule,
} from "@miro-token/core";
import { NodeTransport } from "@miro-token/transport-node";
import { Context, Duration, Effect, Exit, Fiber, Layer, Logger, Metric, Stream } from "effect";
import { encodeLine, type LifecycleLine, statusLine, streamSink } from "./EventLog.ts";
import { withFleetHealth } from "./fleet/WatcherFleet.ts"; // fleet hook
import { type Health, serveHttp } from "./HttpServer.ts";
import { makeMetrics } from "./Metrics.ts";
import { observedTransport } from "./ObservedTransport.ts";
import { makeStatusBoard } from "./StatusBoard.ts";
import { buildInfo, otlpLayer } from "./Telemetry.ts";
import { VERSION } from "./version.ts";
import { Watcher, type WatcherOptions, WatcherStartError } from "./Watcher.ts";
import { registerWebhookMetrics } from "./webhooks/WebhookMetrics.ts";
import { startWebhooks } from "./webhooks/Webhooks.ts";

const now = () => new Date().toISOString();

/** Open the store in the current scope and scan it; an unreadable entry is quarantined. */
const openStore = (layer: Layer.Layer<TokenStore, StoreError>) =>
  Effect.gen(function* () {
    const store = Context.get(yield* Layer.build(layer), TokenStore);
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
  }).pipe(
    // Effect's logs (a store's warnings) go to stderr: stdout carries only the NDJSON.
    Effect.provideService(Logger.LogToStderr, true),
    Effect.mapError(
      ({ operation, reason }) =>
        new WatcherStartError({ message: `cannot open the token store (${operation}: ${reason})` }),
    ),
  );

/** `store`, with every scan's unreadable entries reported to `onScan` (the board). */
const reportingUnreadable = (
  store: TokenStoreShape,
  onScan: (unreadable: ReadonlyArray<UnreadableEntry>) => void,
): TokenStoreShape => ({
  ...store,
  scan: () =>
    scanStore(store).pipe(Effect.tap(({ unreadable }) => Effect.sync(() => onScan(unreadable)))),
});

const make = (options: WatcherOptions) =>
  Effect.gen(function* () {
    const output = options.output ?? streamSink();
    const log = (line: LifecycleLine) => output(encodeLine(line));
    const shutdown = { signal: "close", clean: undefined as boolean | undefined };
    // Released last: the closing line, once everything else is gone.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        if (shutdown.clean !== undefined)
          log({ time: now(), event: "stopped", clean: shutdown.clean });
      }),
    );

    const { store, listed, unreadable } = yield* openStore(options.store);
    const outbox = store.outbox;
    if (options.webhooks !== undefined && outbox === undefined)
      return yield* new WatcherStartError({
        message: "webhooks need a store with an outbox; this store has none",
      });
    const board = makeStatusBoard();
    const startedAt = Date.now();
    for (const entry of listed) board.addPending(entry, entry.expiresAt, startedAt);
    const age = WatchSchedule.resolveWatchOptions(options.watch).refreshTokenAge;
    const webhooks =
      options.webhooks === undefined || outbox === undefined
        ? undefined
        : yield* startWebhooks(store, outbox, board, options.webhooks, age);

    let sseClients = () => 0;
    // The watcher's own registry (watcherLayer): `/metrics` and the OTLP exporter read it.
    const registry = yield* Metric.MetricRegistry;
    const metrics = yield* Effect.acquireRelease(
      Effect.sync(() =>
        makeMetrics({
          board,
          probeCost: options.probeCost,
          sseClients: () => sseClients(),
          registry,
        }),
      ),
      (m) => Effect.sync(() => m.close()),
    );
    if (webhooks !== undefined)
      registerWebhookMetrics(Context.make(Metric.MetricRegistry, registry), webhooks);
    board.subscribe((change) => {
      if (change.remote === true) return; // fleet hook: another replica logs and counts its own
      metrics.observeChange(change);
      if (options.fleet?.handedOver(change.view) === true) return; // fleet hook: not a removal
      output(encodeLine(statusLine(change.view)));
      webhooks?.onChange(change);
    });

    // fleet hook: statuses to and from the fleet's table; closed (flushed) after the watch.
    const fleet =
      options.fleet === undefined
        ? undefined
        : yield* Effect.acquireRelease(
            Effect.sync(() => options.fleet!.attach(board)),
            (attached) => Effect.promise(() => attached.close()),
          );
    let health: Health = { status: "ok" };
    // Quarantined entries degrade an otherwise healthy watcher (see HttpServer's `/healthz`).
    const currentHealth = (): Health => {
      const quarantined = board.quarantined();
      return withFleetHealth(
        // fleet hook
        health.status === "ok" && quarantined > 0 ? { status: "degraded", quarantined } : health,
        fleet,
      );
    };
    const [port, host] = [options.port ?? 8720, options.host ?? "127.0.0.1"];
    const http = yield* serveHttp({
      board,
      metrics,
      health: currentHealth,
      port,
      host,
      keepAliveInterval: options.keepAliveInterval,
      access: options.access,
      webhooks: webhooks?.summary,
    }).pipe(
      // Effect's own reports (a defect in a route) go to stderr: stdout carries the NDJSON.
      Effect.provideService(Logger.LogToStderr, true),
      Effect.mapError(
        (error) =>
          new WatcherStartError({
            message: `cannot listen on ${host}:${port} (${error.code ?? error.message})`,
          }),
      ),
    );
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
    yield* buildInfo(VERSION);

    // The watch, on its own fiber: its layer (client, transport pools) is released before the
    // fiber ends, so "ended" means every loop and every pooled socket is gone.
    const client = TokenClient.layer.pipe(
      Layer.provide(
        Layer.merge(
          observedTransport(metrics, options.transport ?? NodeTransport.layer),
          MiroConfig.layer(options.miro ?? {}),
        ),
      ),
    );
    const watched = reportingUnreadable(store, (entries) => board.quarantine(entries, Date.now()));
    const watch = yield* Stream.runForEach(TokenWatcher.watchMany(options.watch), (event) =>
      Effect.sync(() => board.apply(event, Date.now())),
    ).pipe(
      Effect.provide(Layer.merge(client, Layer.succeed(TokenStore, watched))),
      Effect.provideService(Logger.LogToStderr, true),
      Effect.onExit((exit) =>
        Effect.sync(() => {
          // The watch never ends by itself; if it does, say so.
          if (health.status !== "stopping")
            health = {
              status: "failed",
              error: Exit.isFailure(exit) ? "watch failed" : "watch ended",
            };
        }),
      ),
      Effect.forkDetach,
    );
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        health = { status: "stopping" };
        log({ time: now(), event: "stopping", signal: shutdown.signal });
        shutdown.clean = yield* Fiber.interrupt(watch).pipe(
          Effect.timeout(Duration.millis(options.shutdownTimeout ?? 4_000)),
          Effect.as(true),
          Effect.orElseSucceed(() => false),
        );
      }),
    );

    return Watcher.of({
      port: http.port,
      url: http.url,
      board,
      stopping: (signal) => {
        shutdown.signal = signal;
      },
      outcome: () => (shutdown.clean === undefined ? undefined : { clean: shutdown.clean }),
    });
  });

/**
 * The layer `Watcher.layer(options)` stands for: the watcher, inside the OTLP exporters when
 * export is on.
 *
 * @category layers
 * @since 0.1.0
 */
export const watcherLayer = (options: WatcherOptions): Layer.Layer<Watcher, WatcherStartError> =>
  Layer.effect(Watcher, make(options)).pipe(
    Layer.provide(
      otlpLayer(options.otlp, { serviceName: "miro-token-watcher", serviceVersion: VERSION }),
    ),
    // One metrics registry per watcher, shared by its metrics and the OTLP exporter.
    Layer.provide(
      Layer.effect(
        Metric.MetricRegistry,
        Effect.sync(() => new Map()),
      ),
    ),
  );

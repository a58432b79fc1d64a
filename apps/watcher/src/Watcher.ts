/**
 * The watcher as a scoped Effect program: the `Watcher` layer acquires, in order, the store
 * (opened and scanned, so one that cannot be opened or listed fails the start clearly), the
 * webhook sender, the metrics, the HTTP server and the watch (core's `TokenWatcher.watchMany`
 * on its own fiber), and publishes each status change to the board, the NDJSON log, the
 * metrics, the SSE clients and the webhooks. Releasing the layer is the graceful shutdown, in
 * reverse: interrupt the watch — core lets an in-flight refresh finish and persist before its
 * fiber ends, and the fiber ends only once its client, loops and pooled sockets are released —
 * waiting at most `shutdownTimeout` (`Effect.timeout`; past it the watch is abandoned and the
 * shutdown is not clean), then close the HTTP server, the metrics, the webhooks and the store.
 * A process killed instead leaves a valid store: store writes are atomic.
 *
 * With OTLP export on (`WatcherOptions.otlp`), the exporters wrap the layer: core's spans and
 * the metrics go out while it runs, and are flushed after the watch has ended.
 *
 * `startWatcher` is the in-process API (tests, an app that embeds the watcher): the layer in a
 * `ManagedRuntime`, its `close()` the runtime's disposal. The binary runs the layer with
 * `NodeRuntime.runMain` (`bin.ts`).
 *
 * @since 0.1.0
 */
import type {
  HttpTransport,
  MiroConfigOptions,
  StoreError,
  TokenStore,
  WatchOptions,
} from "@miro-token/core";
import { Context, Data, Effect, Exit, Layer, ManagedRuntime, Option } from "effect";
import type { LineSink } from "./EventLog.ts";
import type { WatcherFleet } from "./fleet/WatcherFleet.ts"; // fleet hook
import type { HttpAccess } from "./HttpAccess.ts";
import type { StatusBoard } from "./StatusBoard.ts";
import type { OtlpSettings } from "./Telemetry.ts";
import type { WebhookOptions } from "./webhooks/Webhooks.ts";

/**
 * Options of {@link startWatcher} and of the {@link Watcher} layer.
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
  /** Export spans and metrics over OTLP/HTTP. @default off */
  readonly otlp?: OtlpSettings | undefined;
  /** Fleet hook: one replica of a fleet (`watcherFleet(...)`; `store` is then its `store`). */
  readonly fleet?: WatcherFleet | undefined;
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
export class WatcherStartError extends Data.TaggedError("WatcherStartError")<{
  readonly message: string;
}> {}

/**
 * The running watcher, as the {@link Watcher} layer provides it.
 *
 * @category models
 * @since 0.1.0
 */
export interface WatcherShape {
  readonly port: number;
  readonly url: string;
  readonly board: StatusBoard;
  /** Name what is stopping the watcher (the `stopping` line's `signal`), before release. */
  readonly stopping: (signal: string) => void;
  /** How the shutdown went, once the layer is released (`undefined` before). */
  readonly outcome: () => { readonly clean: boolean } | undefined;
}

/**
 * The watcher service. `Watcher.layer(options)` starts it; releasing the layer stops it.
 *
 * @category services
 * @since 0.1.0
 */
export class Watcher extends Context.Service<Watcher, WatcherShape>()(
  "@miro-token/watcher/Watcher",
) {
  /** The watcher for `options`, failing with {@link WatcherStartError} when it cannot start. */
  static readonly layer = (options: WatcherOptions): Layer.Layer<Watcher, WatcherStartError> =>
    Layer.unwrap(
      Effect.map(
        Effect.promise(() => import("./WatcherProgram.ts")),
        (program) => program.watcherLayer(options),
      ),
    );
}

/**
 * Start the watcher. Rejects with {@link WatcherStartError} when the store cannot be opened
 * or listed, or the port cannot be bound.
 *
 * @category constructors
 * @since 0.1.0
 */
export const startWatcher = async (options: WatcherOptions): Promise<RunningWatcher> => {
  const runtime = ManagedRuntime.make(Watcher.layer(options));
  const started = await runtime.runPromiseExit(
    Effect.gen(function* () {
      return yield* Watcher;
    }),
  );
  if (Exit.isFailure(started)) {
    await runtime.dispose();
    const error = Exit.findErrorOption(started);
    throw Option.isSome(error)
      ? error.value
      : new WatcherStartError({ message: "unexpected failure at start" });
  }
  const watcher = started.value;
  let closing: Promise<{ readonly clean: boolean }> | undefined;
  const close = (signal = "close") => {
    closing ??= (async () => {
      watcher.stopping(signal);
      await runtime.dispose();
      return watcher.outcome() ?? { clean: false };
    })();
    return closing;
  };
  return { port: watcher.port, url: watcher.url, board: watcher.board, close };
};

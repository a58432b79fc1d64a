/**
 * The one `LISTEN` connection of a process, and its reconnect loop: the store's change stream
 * (`PostgresChanges.ts`, channel `miro_token_changes`) and a watcher fleet's channel
 * (`miro_token_fleet`) are both heard here, on one connection of its own (outside the store's
 * pool, so a pool of one is never starved by a listener). When the connection dies (a
 * PostgreSQL restart, a network cut) it is opened again with capped exponential backoff; each
 * (re)connection is announced with `Connected`, so a reader knows notifications may have been
 * lost meanwhile and reads again what it keeps.
 *
 * @since 0.3.0
 */
import { PgConnection } from "@effect/sql-pg";
import { Duration, Effect, Schedule, Stream } from "effect";

/**
 * What the listener hears: a notification on one of its channels, or that it is connected
 * (`first` is false after a reconnect: notifications sent meanwhile were lost).
 *
 * @category models
 * @since 0.3.0
 */
export type Heard =
  | { readonly _tag: "Notification"; readonly channel: string; readonly payload: string }
  | { readonly _tag: "Connected"; readonly first: boolean };

/**
 * How the listener reconnects.
 *
 * @category models
 * @since 0.3.0
 */
export interface ReconnectOptions {
  /** First wait after a lost connection. @default 100 millis */
  readonly initial?: Duration.Input | undefined;
  /** Longest wait between attempts. @default 5 seconds */
  readonly max?: Duration.Input | undefined;
}

/**
 * The reconnect schedule: exponential from `initial`, capped at `max`, forever.
 *
 * @category constructors
 * @since 0.3.0
 */
export const reconnectSchedule = (options: ReconnectOptions = {}) => {
  const max = Duration.toMillis(options.max ?? "5 seconds");
  return Schedule.exponential(options.initial ?? "100 millis").pipe(
    Schedule.modifyDelay(({ duration }) =>
      Effect.succeed(Duration.millis(Math.min(Duration.toMillis(duration), max))),
    ),
  );
};

/**
 * Listen on `channels` over one connection of its own, opened when the stream is run and
 * closed with it. It does not fail: a lost connection is retried by {@link reconnectSchedule},
 * forever, until the stream is interrupted; `onLost` is called each time it is lost.
 *
 * @category constructors
 * @since 0.3.0
 */
export const listen = (
  config: PgConnection.Config,
  channels: ReadonlyArray<string>,
  options: ReconnectOptions & { readonly onLost?: (() => void) | undefined } = {},
): Stream.Stream<Heard, never> => {
  let connections = 0;
  const once = Stream.unwrap(
    Effect.gen(function* () {
      const connection = yield* PgConnection.make(config);
      // One pin for every channel: a pinned connection listens on several at once.
      const pinned = yield* connection.pin;
      const heard = yield* Effect.forEach(channels, (channel) =>
        Effect.map(pinned.listen(channel), (queue) =>
          Stream.map(
            Stream.fromQueue(queue),
            (notification): Heard => ({
              _tag: "Notification",
              channel,
              payload: notification.payload,
            }),
          ),
        ),
      );
      const connected: Heard = { _tag: "Connected", first: connections++ === 0 };
      return Stream.concat(
        Stream.make(connected),
        Stream.mergeAll(heard, { concurrency: "unbounded" }),
      );
    }),
  );
  return once.pipe(
    Stream.tapError(() =>
      Effect.andThen(
        Effect.sync(() => options.onLost?.()),
        Effect.logDebug("the LISTEN connection was lost"),
      ),
    ),
    Stream.retry(reconnectSchedule(options)),
    Stream.orDie,
  );
};

/**
 * The store's change stream (core's `TokenStoreShape.changes`) over LISTEN/NOTIFY. Every write
 * and delete the store makes carries its own `pg_notify` in the same statement (see
 * {@link notifyWritten} and {@link notifyDeleted}), so the notification is sent exactly when
 * the change commits, by whichever process made it (a watcher replica, `miro-token store add`),
 * with no trigger and no migration. A listener holds one connection of its own (not one of the
 * store's pool) with `LISTEN`; when that connection dies (a PostgreSQL restart, a network cut)
 * it reconnects with capped exponential backoff and emits `Resync` first: notifications sent
 * meanwhile were lost, so the listing must be read again.
 *
 * @since 0.3.0
 */
import { PgClient } from "@effect/sql-pg";
import type { StoreChange } from "@miro-token/core";
import { Duration, Effect, Schedule, Stream } from "effect";
import * as Reactivity from "effect/reactivity/Reactivity";

/**
 * The notification channel.
 *
 * @category constants
 * @since 0.3.0
 */
export const CHANGES_CHANNEL = "miro_token_changes";

/**
 * The select list that sends a "written" notification for each row of a data-modifying CTE
 * named `written` (columns `id`, `generation`): `SELECT written.*, <this> FROM written`. The
 * payload is `{"id": …, "generation": n}`: an id (at most 128 bytes) and a number, far below
 * NOTIFY's 8000-byte limit, never a token.
 *
 * @category constants
 * @since 0.3.0
 */
export const notifyWritten = `pg_notify('${CHANGES_CHANNEL}',
  json_build_object('id', written.id, 'generation', written.generation)::text)::text AS notified`;

/**
 * The same for a CTE named `gone` of deleted ids: `{"id": …, "deleted": true}`.
 *
 * @category constants
 * @since 0.3.0
 */
export const notifyDeleted = `pg_notify('${CHANGES_CHANNEL}',
  json_build_object('id', gone.id, 'deleted', true)::text)::text AS notified`;

/**
 * A payload as a change; anything else (a foreign NOTIFY on the channel) is a `Resync`.
 *
 * @category parsing
 * @since 0.3.0
 */
export const changeOf = (payload: string): StoreChange => {
  try {
    const parsed: unknown = JSON.parse(payload);
    if (typeof parsed === "object" && parsed !== null) {
      const { id, generation, deleted } = parsed as Record<string, unknown>;
      if (typeof id === "string" && deleted === true) return { _tag: "Deleted", id };
      if (typeof id === "string" && typeof generation === "number") {
        return { _tag: "Written", id, generation };
      }
    }
  } catch {
    // fall through: unreadable payloads only say "something changed"
  }
  return { _tag: "Resync" };
};

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
 * The change stream of the database `config` reaches: `Written`/`Deleted` as they commit;
 * `Resync` after each reconnect (never before the first `LISTEN`). Each subscription opens a
 * connection of its own, outside the store's pool (a pool of one must not be starved by a
 * listener), closed with the stream. It does not fail: a lost connection is retried by
 * {@link reconnectSchedule}, forever, until the stream is interrupted.
 *
 * @category constructors
 * @since 0.3.0
 */
export const changesOf = (
  config: PgClient.PgClientConfig,
  options?: ReconnectOptions,
): Stream.Stream<StoreChange, never> => {
  let subscriptions = 0;
  const subscribe = Stream.unwrap(
    Effect.gen(function* () {
      const client = yield* PgClient.makeClient(config).pipe(
        Effect.provideServiceEffect(Reactivity.Reactivity, Reactivity.make),
      );
      const queue = yield* client.listen(CHANGES_CHANNEL);
      const head: Stream.Stream<StoreChange> =
        subscriptions++ === 0 ? Stream.empty : Stream.make({ _tag: "Resync" } as const);
      return Stream.concat(
        head,
        Stream.map(Stream.fromQueue(queue), (notification) => changeOf(notification.payload)),
      );
    }),
  );
  return subscribe.pipe(
    Stream.tapError(() => Effect.logDebug("store change listener lost its connection")),
    Stream.retry(reconnectSchedule(options)),
    Stream.orDie,
  );
};

/**
 * The store's change stream (core's `TokenStoreShape.changes`) over LISTEN/NOTIFY. Every write
 * and delete the store makes carries its own `pg_notify` in the same statement (see
 * {@link notifyWritten} and {@link notifyDeleted}), so the notification is sent exactly when
 * the change commits, by whichever process made it (a watcher replica, `miro-token store add`),
 * with no trigger and no migration. The listening is `PostgresListener.ts`'s (one connection of
 * its own, reconnected with capped exponential backoff; a watcher fleet hears its own channel
 * on the same connection): after each reconnect the stream emits `Resync` first, since
 * notifications sent meanwhile were lost and the listing must be read again.
 *
 * @since 0.3.0
 */
import type { PgConnection } from "@effect/sql-pg";
import type { StoreChange } from "@miro-token/core";
import { Stream } from "effect";
import { type Heard, listen, type ReconnectOptions } from "./PostgresListener.ts";

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

export type { ReconnectOptions } from "./PostgresListener.ts";
export { reconnectSchedule } from "./PostgresListener.ts";

/**
 * What the listener heard on {@link CHANGES_CHANNEL}, as changes: `Resync` for a reconnect
 * (never for the first connection), nothing for any other channel.
 *
 * @category parsing
 * @since 0.3.0
 */
export const changesHeard = (heard: Heard): ReadonlyArray<StoreChange> => {
  if (heard._tag === "Connected") return heard.first ? [] : [{ _tag: "Resync" }];
  return heard.channel === CHANGES_CHANNEL ? [changeOf(heard.payload)] : [];
};

/**
 * The change stream of the database `config` reaches: `Written`/`Deleted` as they commit;
 * `Resync` after each reconnect (never before the first `LISTEN`). Each subscription opens a
 * connection of its own (`PostgresListener.listen`), closed with the stream. It does not fail.
 *
 * @category constructors
 * @since 0.3.0
 */
export const changesOf = (
  config: PgConnection.Config,
  options?: ReconnectOptions,
): Stream.Stream<StoreChange, never> =>
  Stream.flatMap(listen(config, [CHANGES_CHANNEL], options), (heard) =>
    Stream.fromIterable(changesHeard(heard)),
  );

/**
 * The fleet's shared status table, `miro_token_fleet_status`: the latest status row of every
 * token as the replica that watches it reported it: its state, the generation it is about, and
 * the watcher's secret-free view (JSON the caller chooses; never looked inside). Writes are
 * batched: a replica queues rows as statuses change and one statement per flush upserts them
 * all, numbers them from a sequence and notifies the fleet's channel, so every replica reads
 * what changed since the last number it saw (`since`) instead of the whole table.
 *
 * @since 0.3.0
 */
import type { StoreError } from "@miro-token/core";
import { Duration, Effect, type Scope, Semaphore } from "effect";
import type { SqlClient } from "effect/sql/SqlClient";
import { orStoreError, type Scrub } from "../SqlFailure.ts";
import { FLEET_CHANNEL } from "./OwnershipStatements.ts";

/**
 * One status row as stored.
 *
 * @category models
 * @since 0.3.0
 */
export interface FleetStatusRow {
  readonly id: string;
  /** The replica that wrote it. */
  readonly replica: string;
  /** The view as written (JSON). */
  readonly view: unknown;
  /** Its number: larger is newer, across the whole table. */
  readonly seq: number;
}

/**
 * One status to write: the token's state (core's status tag, or the watcher's own), the
 * generation it is about, and the view to show (secret-free JSON).
 *
 * @category models
 * @since 0.3.0
 */
export interface StatusUpdate {
  readonly id: string;
  readonly state: string;
  readonly generation: number;
  readonly view: unknown;
}

/**
 * Reading and writing the status table.
 *
 * @category models
 * @since 0.3.0
 */
export interface FleetStatus {
  /** Upsert rows (last one per id wins) in one statement, and notify the fleet. */
  readonly write: (rows: ReadonlyArray<StatusUpdate>) => Effect.Effect<void, StoreError>;
  /** Rows numbered after `seq`, oldest first, at most `limit`. */
  /**
   * Delete the rows of tokens no longer stored, written more than `ageMs` ago (long enough for
   * every replica's reader to have shown the removal): a removed token's row would otherwise
   * stay forever. Returns how many were deleted.
   */
  readonly prune: (ageMs: number) => Effect.Effect<number, StoreError>;
  readonly since: (
    seq: number,
    limit?: number,
  ) => Effect.Effect<ReadonlyArray<FleetStatusRow>, StoreError>;
}

/**
 * The status table over `sql`, written as `replicaId`.
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeFleetStatus = (sql: SqlClient, scrub: Scrub, replicaId: string): FleetStatus => ({
  write: (rows) => {
    const latest = new Map<string, StatusUpdate>();
    for (const row of rows) latest.set(row.id, row);
    if (latest.size === 0) return Effect.void;
    const json = JSON.stringify([...latest.values()]);
    return sql`WITH up AS (
        INSERT INTO miro_token_fleet_status
          (token_id, replica, state, generation, view, seq, updated_at)
        SELECT x.id, ${replicaId}, x.state, x.generation, x.view,
               nextval('miro_token_fleet_status_seq'), clock_timestamp()
        FROM jsonb_to_recordset(${json}::jsonb)
          AS x(id text, state text, generation bigint, view jsonb)
        ON CONFLICT (token_id) DO UPDATE
          SET replica = EXCLUDED.replica, state = EXCLUDED.state,
              generation = EXCLUDED.generation, view = EXCLUDED.view, seq = EXCLUDED.seq,
              updated_at = EXCLUDED.updated_at
        RETURNING 1)
      SELECT pg_notify(${FLEET_CHANNEL}, ${`status ${replicaId}`})
      FROM (SELECT count(*) FROM up) n`.pipe(orStoreError("fleetStatus", scrub), Effect.asVoid);
  },
  prune: (ageMs) =>
    sql<{ readonly n: number }>`WITH pruned AS (
        DELETE FROM miro_token_fleet_status s
        WHERE s.updated_at < clock_timestamp() - ${ageMs}::float8 * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM miro_token_tokens t WHERE t.id = s.token_id)
        RETURNING 1)
      SELECT count(*)::int AS n FROM pruned`.pipe(
      orStoreError("fleetStatus", scrub),
      Effect.map((rows) => Number(rows[0]?.n ?? 0)),
    ),
  since: (seq, limit = 5000) =>
    sql<{
      readonly token_id: string;
      readonly replica: string;
      readonly view: unknown;
      readonly seq: number;
    }>`SELECT token_id, replica, view::text AS view, seq::float8 AS seq
       FROM miro_token_fleet_status WHERE seq > ${seq} ORDER BY seq LIMIT ${limit}`.pipe(
      orStoreError("fleetStatus", scrub),
      Effect.map((rows) =>
        rows.map((row) => ({
          id: row.token_id,
          replica: row.replica,
          view: typeof row.view === "string" ? JSON.parse(row.view) : row.view,
          seq: Number(row.seq),
        })),
      ),
    ),
});

/**
 * A batching writer: `offer` queues a row (a newer one for the same id replaces it) and a
 * background fiber writes the queue every `flushEvery` in one statement. A failed write keeps
 * its rows queued (newer offers still win) and is tried again at the next flush; `flush`
 * writes now (at shutdown).
 *
 * @category models
 * @since 0.3.0
 */
export interface StatusWriter {
  readonly offer: (update: StatusUpdate) => void;
  readonly flush: Effect.Effect<void, StoreError>;
  /** Rows queued and not yet written. */
  readonly pending: () => number;
  /** The last write's failure, cleared by a successful one. */
  readonly lastError: () => StoreError | undefined;
}

/**
 * Start a {@link StatusWriter} in the scope; it flushes once more when the scope closes.
 *
 * @category constructors
 * @since 0.3.0
 */
export const makeStatusWriter = (
  status: FleetStatus,
  flushEvery: Duration.Input = "250 millis",
): Effect.Effect<StatusWriter, never, Scope.Scope> =>
  Effect.gen(function* () {
    let queued = new Map<string, StatusUpdate>();
    let lastError: StoreError | undefined;
    // One write at a time, so an older batch never lands after a newer one.
    const oneAtATime = Semaphore.makeUnsafe(1);
    const write = Effect.suspend(() => {
      if (queued.size === 0) return Effect.void;
      const batch = queued;
      queued = new Map();
      return status.write([...batch.values()]).pipe(
        Effect.tap(() =>
          Effect.sync(() => {
            lastError = undefined;
          }),
        ),
        Effect.tapError((error) =>
          Effect.sync(() => {
            lastError = error;
            for (const [id, update] of batch) if (!queued.has(id)) queued.set(id, update);
          }),
        ),
      );
    });
    const flush = oneAtATime.withPermits(1)(write);
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.sleep(Duration.fromInputUnsafe(flushEvery)).pipe(
          Effect.andThen(Effect.ignore(flush)),
        ),
      ),
    );
    yield* Effect.addFinalizer(() => Effect.ignore(flush));
    return {
      offer: (update) => {
        queued.delete(update.id);
        queued.set(update.id, update);
      },
      flush,
      pending: () => queued.size,
      lastError: () => lastError,
    };
  });

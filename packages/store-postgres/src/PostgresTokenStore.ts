/**
 * A {@link TokenStore} in PostgreSQL (>= 14) through `@effect/sql-pg`. One row per token in
 * `miro_token_tokens`; `compareAndSet` is one conditional statement on the generation (an
 * `INSERT … ON CONFLICT DO NOTHING` for generation 0, an `UPDATE … WHERE generation = $n`
 * otherwise), so a lost race is a `Conflict` and the primary key makes two rows for one id
 * impossible. `withLock` is a lease (see `LeaseLock.ts`). `page` reads by keyset, so walking
 * every token never holds more than a page.
 *
 * ```ts
 * const StoreLive = PostgresTokenStore.layer({ url: Redacted.make("postgres://watcher@db/miro") })
 * ```
 *
 * Opening the store checks the schema version and fails with `SchemaVersionError` (saying what
 * to run) on an unmigrated or newer database; `migrate` upgrades it.
 *
 * With `options.keyring`, every write seals the token set (`PostgresSealing.ts`); without one,
 * a table holding sealed rows is refused at open, naming the key ids it needs.
 *
 * @since 0.1.0
 */
import { PgClient } from "@effect/sql-pg";
import {
  type CompareAndSetResult,
  type StoredToken,
  type StoreError,
  TokenStore,
  type TokenStoreShape,
} from "@miro-token/core";
import { Clock, Context, Effect, Layer, Option, type Scope } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { makeLease } from "./LeaseLock.ts";
import { checkVersion, type MigrateResult, migrate as migrateSchema } from "./Migrations.ts";
import { changesOf, notifyDeleted, notifyWritten } from "./PostgresChanges.ts";
import * as PostgresOutbox from "./PostgresOutbox.ts";
import { refuseSealedWithoutKeyring, tokenSetColumn } from "./PostgresSealing.ts";
import type { SchemaVersionError } from "./SchemaVersionError.ts";
import { orStoreError, type Scrub, scrubberOf, storeErrorOf } from "./SqlFailure.ts";
import {
  type PostgresStoreOptions,
  poolConfigOf,
  publicTarget,
  urlPassword,
} from "./StoreOptions.ts";
import { COLUMNS, encodeTokenSet, scanPages, type TokenRow, toStored } from "./TokenRows.ts";

/**
 * The scrubber for `options`' secrets.
 *
 * @category errors
 * @since 0.1.0
 */
export const scrubOf = (options: PostgresStoreOptions): Scrub =>
  scrubberOf([options.password, urlPassword(options.url)]);

/**
 * Build the store over an existing `SqlClient` (checking the schema version first). Sharing a
 * client lets other code (a watcher fleet) use the same pool.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeWith = (
  options: PostgresStoreOptions,
): Effect.Effect<TokenStoreShape, StoreError | SchemaVersionError, SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient;
    const scrub = scrubOf(options);
    const keyring = options.keyring;
    yield* checkVersion(publicTarget(options.url)).pipe(
      Effect.catchTag("SqlError", (error) => Effect.fail(storeErrorOf("open", scrub, error))),
    );
    if (keyring === undefined) yield* refuseSealedWithoutKeyring(sql, scrub);

    const rowsOf = (operation: string, rows: ReadonlyArray<TokenRow>) =>
      Effect.forEach(rows, (row) => toStored(operation, row, keyring));

    const get: TokenStoreShape["get"] = (id) =>
      sql<TokenRow>`SELECT ${sql.literal(COLUMNS)} FROM miro_token_tokens WHERE id = ${id}`.pipe(
        orStoreError("get", scrub),
        Effect.flatMap((rows) => rowsOf("get", rows)),
        Effect.map((found) => Option.fromNullishOr(found[0])),
      );

    const rawPage = (operation: string, after: string | undefined, limit: number) =>
      (after === undefined
        ? sql<TokenRow>`SELECT ${sql.literal(COLUMNS)} FROM miro_token_tokens
                        ORDER BY id LIMIT ${Math.max(0, limit)}`
        : sql<TokenRow>`SELECT ${sql.literal(COLUMNS)} FROM miro_token_tokens
                        WHERE id > ${after} ORDER BY id LIMIT ${Math.max(0, limit)}`
      ).pipe(orStoreError(operation, scrub));

    const page: NonNullable<TokenStoreShape["page"]> = ({ after, limit }) =>
      rawPage("list", after, limit).pipe(Effect.flatMap((rows) => rowsOf("list", rows)));

    /** Every row; one that does not decode or open (a missing key) is reported by id. */
    const scan: NonNullable<TokenStoreShape["scan"]> = () =>
      scanPages((after) => rawPage("scan", after, 1000), keyring);

    const list: TokenStoreShape["list"] = () =>
      Effect.gen(function* () {
        const all: Array<StoredToken> = [];
        let after: string | undefined;
        for (;;) {
          const entries = yield* page({ after, limit: 1000 });
          all.push(...entries);
          if (entries.length < 1000) return all;
          after = entries.at(-1)?.id;
        }
      });

    const compareAndSet: TokenStoreShape["compareAndSet"] = (id, expectedGeneration, next) =>
      Effect.gen(function* () {
        const updatedAt = yield* Clock.currentTimeMillis;
        const json = tokenSetColumn(keyring, encodeTokenSet(next), {
          id,
          generation: expectedGeneration + 1,
        });
        const expiresAt = next.expiresAt ?? null;
        const written = yield* (
          expectedGeneration === 0
            ? sql<TokenRow>`
                WITH written AS (
                  INSERT INTO miro_token_tokens (id, generation, token_set, expires_at, updated_at)
                  VALUES (${id}, 1, ${json}::jsonb, ${expiresAt}, ${updatedAt})
                  ON CONFLICT (id) DO NOTHING
                  RETURNING ${sql.literal(COLUMNS)})
                SELECT written.*, ${sql.literal(notifyWritten)} FROM written`
            : sql<TokenRow>`
                WITH written AS (
                  UPDATE miro_token_tokens
                  SET generation = generation + 1, token_set = ${json}::jsonb,
                      expires_at = ${expiresAt}, updated_at = ${updatedAt}, refresh_intent = NULL
                  WHERE id = ${id} AND generation = ${expectedGeneration}
                  RETURNING ${sql.literal(COLUMNS)})
                SELECT written.*, ${sql.literal(notifyWritten)} FROM written`
        ).pipe(orStoreError("compareAndSet", scrub));
        const row = written[0];
        if (row !== undefined) {
          const stored = yield* toStored("compareAndSet", row, keyring);
          return { _tag: "Written", stored } satisfies CompareAndSetResult;
        }
        // Lost: the write was decided by the statement above; this read only reports.
        return { _tag: "Conflict", current: yield* get(id) } satisfies CompareAndSetResult;
      });

    /** One conditional statement: the intent lands only on the generation it names. */
    const recordRefreshIntent: TokenStoreShape["recordRefreshIntent"] = (id, intent) =>
      sql<{ readonly id: string }>`
        UPDATE miro_token_tokens SET refresh_intent = ${JSON.stringify(intent)}::jsonb
        WHERE id = ${id} AND generation = ${intent.generation}
        RETURNING id`.pipe(
        orStoreError("recordRefreshIntent", scrub),
        Effect.map((rows) => rows.length > 0),
      );

    return TokenStore.of({
      get,
      list,
      page,
      scan,
      compareAndSet,
      recordRefreshIntent,
      delete: (id) =>
        sql`WITH gone AS (DELETE FROM miro_token_tokens WHERE id = ${id} RETURNING id)
            SELECT ${sql.literal(notifyDeleted)} FROM gone`.pipe(
          orStoreError("delete", scrub),
          Effect.asVoid,
        ),
      withLock: makeLease(sql, scrub, options.lease),
      outbox: PostgresOutbox.make(sql, scrub),
      changes: () => changesOf(poolConfigOf(options), options.reconnect),
    });
  });

/**
 * The driver's client layer for `options`, with connection failures as `StoreError`.
 *
 * @category layers
 * @since 0.1.0
 */
export const clientLayer = (
  options: PostgresStoreOptions,
): Layer.Layer<PgClient.PgClient | SqlClient, StoreError> =>
  PgClient.layerFrom(
    PgClient.make(poolConfigOf(options)).pipe(
      Effect.mapError((error) => storeErrorOf("connect", scrubOf(options), error)),
    ),
  );

/**
 * The store as a layer with its own connection pool, closed with the layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (
  options: PostgresStoreOptions,
): Layer.Layer<TokenStore, StoreError | SchemaVersionError> =>
  Layer.effect(TokenStore, makeWith(options)).pipe(Layer.provide(clientLayer(options)));

/**
 * Open a pool, make the store, and close the pool with `Scope`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  options: PostgresStoreOptions,
): Effect.Effect<TokenStoreShape, StoreError | SchemaVersionError, Scope.Scope> =>
  Layer.build(layer(options)).pipe(Effect.map((context) => Context.get(context, TokenStore)));

/**
 * Apply pending migrations to the database at `options.url` (its own short-lived pool).
 *
 * @category migrations
 * @since 0.1.0
 */
export const migrate = (
  options: PostgresStoreOptions,
): Effect.Effect<MigrateResult, StoreError | SchemaVersionError> =>
  migrateSchema(publicTarget(options.url)).pipe(
    Effect.catchTag("SqlError", (error) =>
      Effect.fail(storeErrorOf("migrate", scrubOf(options), error)),
    ),
    Effect.provide(clientLayer(options)),
  );

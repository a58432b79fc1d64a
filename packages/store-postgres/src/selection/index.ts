/**
 * `@miro-token/store-postgres/selection`: the one function both apps call to open the store a
 * `--store` value selects (core's `selectStore` / `parseStoreSelection`): the file store for a
 * path or `file:` URL, PostgreSQL for `postgres://`. Each store's code is loaded with `import()`
 * only when selected, so a file store's start does not load the PostgreSQL driver.
 *
 * ```ts
 * const StoreLive = storeLayer(selection, { keyring, insecurePermissions })
 * ```
 *
 * @since 0.3.0
 */

import { StoreError, TokenStore } from "@miro-token/core";
import type { PostgresSelection, StoreSelection } from "@miro-token/core/internal";
import type { Keyring, RekeyReport } from "@miro-token/store-file/crypto";
import { Duration, Effect, Layer } from "effect";
import type { LeaseOptions } from "../LeaseLock.ts";
import type { MigrateResult } from "../Migrations.ts";
import type { ReconnectOptions } from "../PostgresChanges.ts";
import type { SchemaVersionError } from "../SchemaVersionError.ts";
import type { PostgresStoreOptions } from "../StoreOptions.ts";

/**
 * What opening a selected store needs besides the selection.
 *
 * @category models
 * @since 0.3.0
 */
export interface StoreLayerOptions {
  /** Seal token sets at rest (both stores); a sealed store without one is refused. */
  readonly keyring?: Keyring | undefined;
  /** File store only: accept a directory another user owns or others can write. */
  readonly insecurePermissions?: boolean | undefined;
  /** PostgreSQL only: `withLock` lease timing. */
  readonly lease?: LeaseOptions | undefined;
  /** PostgreSQL only: how the change listener reconnects. */
  readonly reconnect?: ReconnectOptions | undefined;
  /** PostgreSQL only: `application_name` in `pg_stat_activity`. @default "miro-token" */
  readonly applicationName?: string | undefined;
}

/**
 * The PostgreSQL store options of a selection: its URL, a password from elsewhere, and the
 * pool settings of its query (`pool_max`, `statement_timeout`, `connect_timeout`).
 *
 * @category options
 * @since 0.3.0
 */
export const postgresOptionsOf = (
  selection: PostgresSelection,
  options: StoreLayerOptions = {},
): PostgresStoreOptions => ({
  url: selection.url,
  password: selection.password,
  maxConnections: selection.maxConnections,
  statementTimeout:
    selection.statementTimeoutMs === undefined
      ? undefined
      : Duration.millis(selection.statementTimeoutMs),
  connectTimeout:
    selection.connectTimeoutMs === undefined
      ? undefined
      : Duration.millis(selection.connectTimeoutMs),
  applicationName: options.applicationName,
  lease: options.lease,
  reconnect: options.reconnect,
  keyring: options.keyring,
});

/**
 * A schema this code cannot use, as the `StoreError` the apps show: its message says what to
 * run (`miro-token store migrate --store …`).
 *
 * @category errors
 * @since 0.3.0
 */
export const schemaAsStoreError = (error: SchemaVersionError): StoreError =>
  new StoreError({
    attempts: 0,
    operation: "open",
    reason: error.message.replace(/^SchemaVersionError: /, ""),
  });

const postgres = () => Effect.promise(() => import("../PostgresTokenStore.ts"));

/**
 * The selected store as a layer (a PostgreSQL pool is closed with it). An unmigrated or newer
 * schema fails with a `StoreError` saying what to run.
 *
 * @category layers
 * @since 0.3.0
 */
export const storeLayer = (
  selection: StoreSelection,
  options: StoreLayerOptions = {},
): Layer.Layer<TokenStore, StoreError> =>
  selection._tag === "File"
    ? Layer.unwrap(
        Effect.map(
          Effect.promise(() => import("@miro-token/store-file")),
          (module) =>
            module.FileTokenStore.layer({
              directory: selection.directory,
              insecurePermissions: options.insecurePermissions === true,
              keyring: options.keyring,
            }),
        ),
      )
    : Layer.unwrap(
        Effect.map(postgres(), (module) =>
          Layer.effect(
            TokenStore,
            module
              .make(postgresOptionsOf(selection, options))
              .pipe(
                Effect.catchTag("SchemaVersionError", (e) => Effect.fail(schemaAsStoreError(e))),
              ),
          ),
        ),
      );

/**
 * Apply pending migrations to the selected database (`miro-token store migrate`). Idempotent;
 * a database newer than this code is a `SchemaVersionError`.
 *
 * @category migrations
 * @since 0.3.0
 */
export const migrateSelection = (
  selection: PostgresSelection,
  options: StoreLayerOptions = {},
): Effect.Effect<MigrateResult, StoreError | SchemaVersionError> =>
  Effect.flatMap(postgres(), (module) => module.migrate(postgresOptionsOf(selection, options)));

/**
 * Re-seal every row of the selected database not under `keyring`'s current key
 * (`miro-token store rekey`); a schema this code cannot use is a `StoreError` saying what to
 * run.
 *
 * @category rekey
 * @since 0.3.0
 */
export const rekeySelection = (
  selection: PostgresSelection,
  keyring: Keyring,
  options: StoreLayerOptions = {},
): Effect.Effect<RekeyReport, StoreError> =>
  Effect.flatMap(
    Effect.promise(() => import("../PostgresRekey.ts")),
    (module) =>
      module
        .rekey({ ...postgresOptionsOf(selection, options), keyring })
        .pipe(Effect.catchTag("SchemaVersionError", (e) => Effect.fail(schemaAsStoreError(e)))),
  );

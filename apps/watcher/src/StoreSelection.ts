/**
 * Which token store the watcher runs on, opened in one place from its configuration: the
 * selection core's rule made of `--store` / `--store-url-file` / `MIRO_TOKEN_STORE_URL`
 * (`StoreSetting.ts`) becomes a layer through `@miro-token/store-postgres/selection`'s
 * `storeLayer`, the function the `miro-token` CLI calls too: a directory is
 * `@miro-token/store-file`, a `postgres://` URL `@miro-token/store-postgres`, each loaded with
 * `import()` only when selected (so `--help` and a file store never load the PostgreSQL driver).
 * The keyring comes from the environment (`MIRO_TOKEN_STORE_KEYS_FILE` /
 * `MIRO_TOKEN_STORE_KEYS`; never argv) for either store.
 *
 * A PostgreSQL store is a fleet: `openWatcherStore` joins it (`PostgresFleet.make`, the lease
 * from `--fleet-lease`) in the caller's scope, so N watchers started on one database split the
 * tokens, and closing the scope (SIGTERM, after the watch has stopped) gives this replica's
 * tokens back at once. A SIGKILLed replica's tokens are taken over once its lease runs out.
 *
 * A keyring that cannot be used is a configuration problem (exit 2) naming the field, never a
 * key. A database whose schema this release cannot use fails when the watcher opens the store
 * (exit 2, naming `miro-token store migrate --store <url without password>`).
 *
 * @since 0.1.0
 */
import type { StoreError, TokenStore } from "@miro-token/core";
import { keyringFromEnv } from "@miro-token/store-file/crypto";
import {
  postgresOptionsOf,
  schemaAsStoreError,
  storeLayer,
} from "@miro-token/store-postgres/selection";
import { Data, Effect, type Layer, Option, type Scope } from "effect";
import { type WatcherFleet, watcherFleet } from "./fleet/WatcherFleet.ts";
import { WatcherStartError } from "./Watcher.ts";
import type { WatcherConfig } from "./WatcherConfig.ts";

const APPLICATION_NAME = "miro-token-watcher";

/**
 * The store cannot be set up from the configuration (a bad keyring): a message fit for a
 * person, no secret.
 *
 * @category errors
 * @since 0.1.0
 */
export class StoreSelectionError extends Data.TaggedError("StoreSelectionError")<{
  readonly reason: string;
}> {}

/**
 * The store layer for `config`, reading keys from `env`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const selectStore = (
  config: Pick<WatcherConfig, "store" | "insecureStorePermissions">,
  env: Readonly<Record<string, string | undefined>>,
): Effect.Effect<Layer.Layer<TokenStore, StoreError>, StoreSelectionError> =>
  keyringFromEnv(env).pipe(
    Effect.map((keyring) =>
      storeLayer(config.store, {
        keyring: Option.getOrUndefined(keyring),
        insecurePermissions: config.insecureStorePermissions,
        applicationName: APPLICATION_NAME,
      }),
    ),
    Effect.mapError((error) => new StoreSelectionError({ reason: error.reason })),
  );

/**
 * What the watcher runs on: the store layer, and the fleet it joined when the store is
 * PostgreSQL (`Watcher`'s `fleet` option; `store` is then the replica's share).
 *
 * @category models
 * @since 0.3.0
 */
export interface WatcherStore {
  readonly store: Layer.Layer<TokenStore, StoreError>;
  readonly fleet?: WatcherFleet | undefined;
}

/**
 * The store for `config`; a PostgreSQL store joins its fleet in the current scope (left when
 * the scope closes). A database that cannot be reached or used fails with the same message
 * the store's open gives (`WatcherStartError`: exit 2), never a password.
 *
 * @category constructors
 * @since 0.3.0
 */
export const openWatcherStore = (
  config: Pick<WatcherConfig, "store" | "insecureStorePermissions" | "fleetLease">,
  env: Readonly<Record<string, string | undefined>>,
): Effect.Effect<WatcherStore, StoreSelectionError | WatcherStartError, Scope.Scope> =>
  Effect.gen(function* () {
    const selection = config.store;
    if (selection._tag === "File") return { store: yield* selectStore(config, env) };
    const keyring = yield* keyringFromEnv(env).pipe(
      Effect.mapError((error) => new StoreSelectionError({ reason: error.reason })),
    );
    const options = postgresOptionsOf(selection, {
      keyring: Option.getOrUndefined(keyring),
      applicationName: APPLICATION_NAME,
    });
    const { PostgresFleet } = yield* Effect.promise(() => import("@miro-token/store-postgres"));
    const fleet = yield* PostgresFleet.make(options, { leaseTtl: config.fleetLease }).pipe(
      Effect.catchTag("SchemaVersionError", (error) => Effect.fail(schemaAsStoreError(error))),
      Effect.mapError(
        ({ operation, reason }) =>
          new WatcherStartError({
            message: `cannot open the token store (${operation}: ${reason})`,
          }),
      ),
    );
    const hooks = watcherFleet(fleet);
    return { store: hooks.store, fleet: hooks };
  });

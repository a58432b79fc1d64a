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
 * A keyring that cannot be used is a configuration problem (exit 2) naming the field, never a
 * key. A database whose schema this release cannot use fails when the watcher opens the store
 * (exit 2, naming `miro-token store migrate --store <url without password>`).
 *
 * @since 0.1.0
 */
import type { StoreError, TokenStore } from "@miro-token/core";
import { keyringFromEnv } from "@miro-token/store-file/crypto";
import { storeLayer } from "@miro-token/store-postgres/selection";
import { Data, Effect, type Layer, Option } from "effect";
import type { WatcherConfig } from "./WatcherConfig.ts";

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
        applicationName: "miro-token-watcher",
      }),
    ),
    Effect.mapError((error) => new StoreSelectionError({ reason: error.reason })),
  );

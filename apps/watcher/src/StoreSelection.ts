/**
 * Which token store the watcher runs on, chosen in one place from its configuration: today a
 * `@miro-token/store-file` directory, opened with the keyring from the environment
 * (`MIRO_TOKEN_STORE_KEYS_FILE` / `MIRO_TOKEN_STORE_KEYS`; never argv) when one is set. Other
 * stores (a `postgres://` URL) are chosen here too, from the same `--store` text.
 *
 * A keyring that cannot be used is a configuration problem (exit 2) naming the field, never a
 * key.
 *
 * @since 0.1.0
 */
import type { StoreError, TokenStore } from "@miro-token/core";
import { FileTokenStore } from "@miro-token/store-file";
import { keyringFromEnv } from "@miro-token/store-file/crypto";
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
      FileTokenStore.layer({
        directory: config.store,
        insecurePermissions: config.insecureStorePermissions,
        keyring: Option.getOrUndefined(keyring),
      }),
    ),
    Effect.mapError((error) => new StoreSelectionError({ reason: error.reason })),
  );

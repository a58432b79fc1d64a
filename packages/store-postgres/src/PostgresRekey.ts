/**
 * `rekey` for the PostgreSQL store: find the rows not sealed under the keyring's current key
 * (plaintext or an older key) by keyset pages, and re-seal each through the store's lease and
 * generation-fenced compare-and-set (the rule is `@miro-token/store-file/crypto`'s
 * `rekeyStore`). Safe while watchers run on the same database; resumable after a crash by
 * running it again.
 *
 * @since 0.1.0
 */
import type { StoreError } from "@miro-token/core";
import type { Keyring, RekeyOptions, RekeyReport } from "@miro-token/store-file/crypto";
import { rekeyStore } from "@miro-token/store-file/crypto";
import { Effect } from "effect";
import { SqlClient } from "effect/sql/SqlClient";
import { keyIdOfRow, rowsNotUnder } from "./PostgresSealing.ts";
import { clientLayer, makeWith, scrubOf } from "./PostgresTokenStore.ts";
import type { SchemaVersionError } from "./SchemaVersionError.ts";
import type { PostgresStoreOptions } from "./StoreOptions.ts";

/**
 * Re-seal every row not under `options.keyring.current`, over an existing `SqlClient`.
 *
 * @category rekey
 * @since 0.1.0
 */
export const rekeyWith = (
  options: PostgresStoreOptions & { readonly keyring: Keyring },
  rekeyOptions?: RekeyOptions,
): Effect.Effect<RekeyReport, StoreError | SchemaVersionError, SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient;
    const scrub = scrubOf(options);
    const store = yield* makeWith(options);
    const current = options.keyring.current;
    return yield* rekeyStore(
      {
        store,
        current,
        candidates: rowsNotUnder(sql, scrub, current),
        keyIdOf: (id) => keyIdOfRow(sql, scrub, id),
      },
      rekeyOptions,
    );
  });

/**
 * Re-seal every row not under `options.keyring.current` (its own short-lived pool).
 *
 * @category rekey
 * @since 0.1.0
 */
export const rekey = (
  options: PostgresStoreOptions & { readonly keyring: Keyring },
  rekeyOptions?: RekeyOptions,
): Effect.Effect<RekeyReport, StoreError | SchemaVersionError> =>
  Effect.provide(rekeyWith(options, rekeyOptions), clientLayer(options));

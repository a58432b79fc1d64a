/**
 * Tokens sealed at rest in PostgreSQL, through the one sealing implementation
 * (`@miro-token/store-file/crypto`). With a keyring, the `token_set` column holds
 * `{"sealed": <envelope>}` — the AES-256-GCM envelope of the token set's JSON, bound to the row's
 * id and generation — instead of the token set; a plaintext row (no `sealed` key) stays
 * readable. No migration: the column is `jsonb` either way, and the key id is queryable as
 * `token_set->'sealed'->>'kid'`, which is how `rekey` finds the rows not under the current key
 * and how a store opened without a keyring finds that it needs one.
 *
 * @since 0.1.0
 */

import type { StoreError } from "@miro-token/core";
import {
  type Keyring,
  keyringRequired,
  readTokenSet,
  type SealBinding,
  type SealError,
  sealJson,
} from "@miro-token/store-file/crypto";
import { Effect, Option, type Result, Stream } from "effect";
import type { SqlClient } from "effect/sql/SqlClient";
import { orStoreError, type Scrub } from "./SqlFailure.ts";

/**
 * The `token_set` column's JSON for `plain` (the token set's JSON) at `binding`.
 *
 * @category sealing
 * @since 0.1.0
 */
export const tokenSetColumn = (
  keyring: Keyring | undefined,
  plain: unknown,
  binding: SealBinding,
): string =>
  JSON.stringify(keyring === undefined ? plain : { sealed: sealJson(keyring, plain, binding) });

/**
 * The token set's JSON from a `token_set` column value (parsed), opened when sealed.
 *
 * @category sealing
 * @since 0.1.0
 */
export const openTokenSetColumn = (
  keyring: Keyring | undefined,
  column: unknown,
  binding: SealBinding,
): Result.Result<unknown, SealError> => {
  const sealed = (column as { sealed?: unknown } | null)?.sealed;
  return readTokenSet(keyring, sealed === undefined ? { tokenSet: column } : { sealed }, binding);
};

/**
 * Fail with `KeyMissing` (as `StoreError{operation: "open"}`) when the table holds sealed rows.
 *
 * @category sealing
 * @since 0.1.0
 */
export const refuseSealedWithoutKeyring = (
  sql: SqlClient,
  scrub: Scrub,
): Effect.Effect<void, StoreError> =>
  sql<{ readonly kid: string }>`
    SELECT DISTINCT token_set->'sealed'->>'kid' AS kid FROM miro_token_tokens
    WHERE token_set->'sealed' IS NOT NULL ORDER BY 1`.pipe(
    orStoreError("open", scrub),
    Effect.flatMap((rows) =>
      rows.length === 0
        ? Effect.void
        : Effect.fail(keyringRequired(rows.map((row) => row.kid ?? "(unnamed)"))),
    ),
  );

/**
 * The key id of `id`'s row: `None` when there is no row, `null` when it is plaintext.
 *
 * @category sealing
 * @since 0.1.0
 */
export const keyIdOfRow = (
  sql: SqlClient,
  scrub: Scrub,
  id: string,
): Effect.Effect<Option.Option<string | null>, StoreError> =>
  sql<{ readonly kid: string | null }>`
    SELECT token_set->'sealed'->>'kid' AS kid FROM miro_token_tokens WHERE id = ${id}`.pipe(
    orStoreError("rekey", scrub),
    Effect.map((rows) => Option.map(Option.fromNullishOr(rows[0]), (row) => row.kid ?? null)),
  );

/**
 * The ids of rows not sealed under `current`, by keyset pages of `pageSize`.
 *
 * @category sealing
 * @since 0.1.0
 */
export const rowsNotUnder = (
  sql: SqlClient,
  scrub: Scrub,
  current: string,
  pageSize = 500,
): Stream.Stream<string, StoreError> =>
  Stream.paginate("", (after: string) =>
    sql<{ readonly id: string }>`
      SELECT id FROM miro_token_tokens
      WHERE id > ${after} AND (token_set->'sealed'->>'kid') IS DISTINCT FROM ${current}
      ORDER BY id LIMIT ${pageSize}`.pipe(
      orStoreError("rekey", scrub),
      Effect.map((rows) => {
        const ids = rows.map((row) => row.id);
        const last = ids.at(-1);
        return [
          ids,
          ids.length < pageSize || last === undefined ? Option.none() : Option.some(last),
        ] as const;
      }),
    ),
  );

/**
 * One row of `miro_token_tokens` as the store reads it (`COLUMNS`: bigints sent as float8) and
 * its decoding into core's `StoredToken`: the token set opened (a sealed row) and checked
 * against its schema, the refresh intent decoded; a row that fails names its id, never its
 * contents.
 *
 * @since 0.3.0
 */
import {
  RefreshIntent,
  type StoredToken,
  StoreError,
  type StoreScan,
  TokenSet,
  type UnreadableEntry,
} from "@miro-token/core";
import { sealFailure } from "@miro-token/store-file/crypto";
import { Effect, Result, Schema } from "effect";
import { openTokenSetColumn } from "./PostgresSealing.ts";
import type { PostgresStoreOptions } from "./StoreOptions.ts";

const TokenSetJson = Schema.toCodecJson(TokenSet);
/**
 * A token set as the JSON a row's `token_set` holds (before sealing).
 *
 * @category codecs
 * @since 0.3.0
 */
export const encodeTokenSet = Schema.encodeSync(TokenSetJson);
const decodeTokenSet = Schema.decodeUnknownResult(TokenSetJson);
const decodeIntent = Schema.decodeUnknownResult(RefreshIntent);

/**
 * @category models
 * @since 0.3.0
 */
export interface TokenRow {
  readonly id: string;
  readonly generation: number | string | bigint;
  readonly token_set: unknown;
  readonly updated_at: number | string | bigint;
  /** `RefreshIntent` JSON, or null. */
  readonly refresh_intent: unknown;
}

/**
 * Decode a row, opening a sealed token set with `keyring`.
 *
 * @category codecs
 * @since 0.3.0
 */
export const toStored = (
  operation: string,
  row: TokenRow,
  keyring: PostgresStoreOptions["keyring"],
): Effect.Effect<StoredToken, StoreError> => {
  const column = typeof row.token_set === "string" ? JSON.parse(row.token_set) : row.token_set;
  const binding = { id: row.id, generation: Number(row.generation) };
  const plain = openTokenSetColumn(keyring, column, binding);
  if (plain._tag === "Failure") {
    return Effect.fail(sealFailure(operation, `row ${JSON.stringify(row.id)}`, plain.failure));
  }
  const tokenSet = decodeTokenSet(plain.success);
  const intent =
    row.refresh_intent === null || row.refresh_intent === undefined
      ? undefined
      : decodeIntent(
          typeof row.refresh_intent === "string"
            ? JSON.parse(row.refresh_intent)
            : row.refresh_intent,
        );
  // The schema error is not quoted: it could show a token.
  if (tokenSet._tag === "Failure" || intent?._tag === "Failure") {
    const what = tokenSet._tag === "Failure" ? "token set" : "refresh intent";
    return Effect.fail(
      new StoreError({
        attempts: 0,
        operation,
        reason: `the stored ${what} of ${JSON.stringify(row.id)} does not match its schema`,
      }),
    );
  }
  return Effect.succeed({
    id: row.id,
    generation: Number(row.generation),
    tokenSet: tokenSet.success,
    updatedAt: Number(row.updated_at),
    ...(intent === undefined ? {} : { refreshIntent: intent.success }),
  });
};

/**
 * The columns every read selects: bigints as float8, exact up to 2^53 (a generation never nears it).
 *
 * @category constants
 * @since 0.3.0
 */
export const COLUMNS =
  "id, generation::float8 AS generation, token_set, updated_at::float8 AS updated_at, refresh_intent";

/**
 * Read every page (`readPage(after)`: up to 1,000 rows in id order) as a scan: the rows that
 * decode and open, and the others reported by id. The store's `scan` and the fleet's owned view.
 *
 * @category decoding
 * @since 0.3.0
 */
export const scanPages = (
  readPage: (after: string | undefined) => Effect.Effect<ReadonlyArray<TokenRow>, StoreError>,
  keyring: PostgresStoreOptions["keyring"],
): Effect.Effect<StoreScan, StoreError> =>
  Effect.gen(function* () {
    const entries: Array<StoredToken> = [];
    const unreadable: Array<UnreadableEntry> = [];
    let after: string | undefined;
    for (;;) {
      const rows = yield* readPage(after);
      for (const row of rows) {
        const read = yield* Effect.result(toStored("scan", row, keyring));
        if (Result.isSuccess(read)) entries.push(read.success);
        else {
          const location = `row ${JSON.stringify(row.id)}`;
          unreadable.push({ id: row.id, location, reason: read.failure.reason });
        }
      }
      if (rows.length < 1000) return { entries, unreadable };
      after = rows.at(-1)?.id;
    }
  });

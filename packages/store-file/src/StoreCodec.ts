/**
 * The on-disk document of one stored token, and the only place where its `Redacted` tokens
 * become plain strings (on encode) or come back (on decode). Reads are schema-validated; a file
 * that is not JSON, has the wrong shape, or names another id is a `StoreError` — never a crash,
 * never skipped. Error reasons never quote the file's contents (V8's `JSON.parse` message would
 * quote its first characters, which would be a token).
 *
 * ```json
 * { "format": "miro-token/store-file", "version": 1, "id": "alice", "generation": 3,
 *   "updatedAt": 1767225600000,
 *   "tokenSet": { "accessToken": "…", "refreshToken": "…", "expiresAt": 1767229199000,
 *                 "scopes": ["boards:read"], "teamId": "3074457…", "userId": "…" },
 *   "refreshIntent": { "generation": 3, "startedAt": 1767229080000 } }
 * ```
 *
 * With a keyring (see `crypto/`), `tokenSet` is replaced by `sealed`, an AES-256-GCM envelope
 * of the same JSON bound to the id and generation; plaintext documents stay readable.
 *
 * @since 0.1.0
 */
import { RefreshIntent, type StoredToken, type StoreError, type TokenSet } from "@miro-token/core";
import { Effect, Redacted, Result, Schema } from "effect";
import type { Keyring } from "./crypto/Keyring.ts";
import { readTokenSet, sealFailure, storeTokenSet } from "./crypto/StoreSealing.ts";
import { sharedScopes, sharedTeamId } from "./SharedValues.ts";
import { storeError } from "./StoreFs.ts";

/**
 * The `format` marker of every document.
 *
 * @category constants
 * @since 0.1.0
 */
export const DOCUMENT_FORMAT = "miro-token/store-file";

/**
 * The document version this code writes and reads.
 *
 * @category constants
 * @since 0.1.0
 */
export const DOCUMENT_VERSION = 1;

const DiskTokenSet = Schema.Struct({
  accessToken: Schema.String,
  refreshToken: Schema.optionalKey(Schema.String),
  refreshTokenIssuedAt: Schema.optionalKey(Schema.Finite),
  expiresAt: Schema.optionalKey(Schema.Finite),
  scopes: Schema.Array(Schema.String),
  teamId: Schema.optionalKey(Schema.String),
  userId: Schema.optionalKey(Schema.String),
});

/**
 * The document's schema (tokens as plain strings: this is the disk format).
 *
 * @category schemas
 * @since 0.1.0
 */
export const StoreDocument = Schema.Struct({
  format: Schema.Literal(DOCUMENT_FORMAT),
  version: Schema.Literal(DOCUMENT_VERSION),
  id: Schema.String,
  generation: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  updatedAt: Schema.Finite,
  /** The token set in clear (no keyring), or… */
  tokenSet: Schema.optionalKey(DiskTokenSet),
  /** …sealed (`crypto/TokenSeal.ts`); opened and validated as `DiskTokenSet` after. */
  sealed: Schema.optionalKey(Schema.Unknown),
  /** A refresh sent (or about to be) for this generation whose answer is not stored yet. */
  refreshIntent: Schema.optionalKey(RefreshIntent),
});

const decodeDiskTokenSet = Schema.decodeUnknownResult(DiskTokenSet);

const decodeDocument = Schema.decodeUnknownResult(StoreDocument);

const reveal = (tokenSet: TokenSet): typeof DiskTokenSet.Type => ({
  accessToken: Redacted.value(tokenSet.accessToken),
  ...(tokenSet.refreshToken === undefined
    ? {}
    : { refreshToken: Redacted.value(tokenSet.refreshToken) }),
  ...(tokenSet.refreshTokenIssuedAt === undefined
    ? {}
    : { refreshTokenIssuedAt: tokenSet.refreshTokenIssuedAt }),
  ...(tokenSet.expiresAt === undefined ? {} : { expiresAt: tokenSet.expiresAt }),
  scopes: tokenSet.scopes,
  ...(tokenSet.teamId === undefined ? {} : { teamId: tokenSet.teamId }),
  ...(tokenSet.userId === undefined ? {} : { userId: tokenSet.userId }),
});

// The scope list and team id are shared with the other tokens that hold the same (a watcher
// holds every token set it watches: `SharedValues.ts`).
const conceal = ({
  accessToken,
  refreshToken,
  scopes,
  teamId,
  ...rest
}: typeof DiskTokenSet.Type): TokenSet => ({
  ...rest,
  accessToken: Redacted.make(accessToken),
  ...(refreshToken === undefined ? {} : { refreshToken: Redacted.make(refreshToken) }),
  scopes: sharedScopes(scopes),
  ...(teamId === undefined ? {} : { teamId: sharedTeamId(teamId) }),
});

/**
 * The file contents for `stored`, sealed when `keyring` is given.
 *
 * @category encoding
 * @since 0.1.0
 */
export const encode = (stored: StoredToken, keyring: Keyring | undefined): string =>
  `${JSON.stringify(
    {
      format: DOCUMENT_FORMAT,
      version: DOCUMENT_VERSION,
      id: stored.id,
      generation: stored.generation,
      updatedAt: stored.updatedAt,
      ...storeTokenSet(keyring, reveal(stored.tokenSet), stored),
      ...(stored.refreshIntent === undefined ? {} : { refreshIntent: stored.refreshIntent }),
    },
    null,
    2,
  )}\n`;

const parseJson = (text: string): Result.Result<unknown, "not JSON"> => {
  try {
    return Result.succeed(JSON.parse(text) as unknown);
  } catch {
    return Result.fail("not JSON");
  }
};

/**
 * The stored token in `text`, read from the file of token `id` (named `fileName` in errors),
 * opened with `keyring` when sealed.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decode = (
  text: string,
  id: string,
  fileName: string,
  operation: string,
  keyring: Keyring | undefined,
): Effect.Effect<StoredToken, StoreError> => {
  const corrupt = (why: string) =>
    Effect.fail(storeError(operation, `corrupt token file ${fileName} (${why})`));
  const json = parseJson(text);
  if (Result.isFailure(json)) return corrupt(json.failure);
  const document = decodeDocument(json.success);
  if (Result.isFailure(document)) return corrupt("not a store document");
  if (document.success.id !== id) return corrupt("id does not match the file name");
  const { generation, updatedAt, refreshIntent } = document.success;
  const plain = readTokenSet(keyring, document.success, { id, generation });
  if (Result.isFailure(plain)) {
    return Effect.fail(sealFailure(operation, fileName, plain.failure));
  }
  const tokenSet = decodeDiskTokenSet(plain.success);
  if (Result.isFailure(tokenSet)) return corrupt("not a store document");
  return Effect.succeed({
    id,
    generation,
    updatedAt,
    tokenSet: conceal(tokenSet.success),
    ...(refreshIntent === undefined ? {} : { refreshIntent }),
  });
};

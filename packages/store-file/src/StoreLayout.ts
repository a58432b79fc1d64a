/**
 * Where things live in a store directory. One file per token, named after the base64url of its
 * id so that any id maps to a safe, unique file name; a lock file beside it; temp files named
 * after their target and the writing process, so a sweep can tell a live writer's temp file
 * from a crashed one's.
 *
 * ```
 * <dir>/                                mode 0700
 *   <b64url(id)>.token.json             mode 0600, one StoredToken document
 *   <b64url(id)>.lock                   while a process holds the token's lock
 *   <target>.<pid>.<random>.tmp         only during a write (or after a crash)
 * ```
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto";
import { isTokenId, MAX_TOKEN_ID_BYTES } from "@miro-token/core";
import { Option } from "effect";

const TOKEN_SUFFIX = ".token.json";
const LOCK_SUFFIX = ".lock";
const TEMP_SUFFIX = ".tmp";
const ENCODED_ID = /^[A-Za-z0-9_-]+$/;

/**
 * The longest encoded id: base64url of core's longest id ({@link MAX_TOKEN_ID_BYTES}, 128
 * bytes), 171 characters, which keeps every derived name (lock break markers included, ~225
 * bytes) under the 255-byte file-name limit of common file systems.
 *
 * @category constants
 * @since 0.1.0
 */
export const MAX_ENCODED_ID_LENGTH = Math.ceil((MAX_TOKEN_ID_BYTES * 4) / 3);

/**
 * The id as it appears in file names, or `None` when it breaks core's id rule
 * (`tokenIdProblem`: 1 to 128 bytes, no control characters), the one rule the CLI checks too.
 *
 * @category naming
 * @since 0.1.0
 */
export const encodeId = (id: string): Option.Option<string> =>
  isTokenId(id) ? Option.some(Buffer.from(id, "utf8").toString("base64url")) : Option.none();

/**
 * @category naming
 * @since 0.1.0
 */
export const tokenFileName = (encodedId: string): string => `${encodedId}${TOKEN_SUFFIX}`;

/**
 * @category naming
 * @since 0.1.0
 */
export const lockFileName = (encodedId: string): string => `${encodedId}${LOCK_SUFFIX}`;

/**
 * The token id (and its encoded form) a directory entry belongs to, or `None` for anything that is not a token file
 * (lock files, temp files, foreign files, names that are not canonical base64url).
 *
 * @category naming
 * @since 0.1.0
 */
export const idOfTokenFileName = (
  name: string,
): Option.Option<{ readonly id: string; readonly encoded: string }> => {
  if (!name.endsWith(TOKEN_SUFFIX)) return Option.none();
  const encoded = name.slice(0, -TOKEN_SUFFIX.length);
  if (!ENCODED_ID.test(encoded)) return Option.none();
  const id = Buffer.from(encoded, "base64url").toString("utf8");
  return isTokenId(id) && Buffer.from(id, "utf8").toString("base64url") === encoded
    ? Option.some({ id, encoded })
    : Option.none();
};

/**
 * A fresh temp-file name for `target`, written by process `pid`.
 *
 * @category naming
 * @since 0.1.0
 */
export const tempFileName = (target: string, pid: number = process.pid): string =>
  `${target}.${pid}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`;

/**
 * For a temp file: the pid that wrote it, or `undefined` when the name carries none. `None`
 * for a name that is not a temp file.
 *
 * @category naming
 * @since 0.1.0
 */
export const writerOfTempFileName = (name: string): Option.Option<number | undefined> => {
  if (!name.endsWith(TEMP_SUFFIX)) return Option.none();
  const match = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
  const pid = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  return Option.some(Number.isSafeInteger(pid) && pid > 0 ? pid : undefined);
};

/**
 * Whether `name` is a temp file whose target is `target`.
 *
 * @category naming
 * @since 0.1.0
 */
export const isTempFileOf = (name: string, target: string): boolean =>
  name.startsWith(`${target}.`) && name.endsWith(TEMP_SUFFIX);

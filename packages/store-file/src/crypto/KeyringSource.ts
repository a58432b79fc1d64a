/**
 * Where a keyring comes from: the file named by `MIRO_TOKEN_STORE_KEYS_FILE` and/or the JSON
 * in `MIRO_TOKEN_STORE_KEYS` (merged: a key id given in both must hold the same key, and two
 * `current`s must agree). Never from argv: a command line is visible to every user of the
 * machine (`ps`) and lands in shell history.
 *
 * The file is read by the shared bounded reader (`@miro-token/store-file/files`): a regular
 * file (after symbolic links, which secret mounts use), at most 64 KiB; `/dev/zero`, a FIFO or
 * a directory is refused at once.
 *
 * @since 0.1.0
 */
import { MAX_SECRET_INPUT_BYTES } from "@miro-token/core";
import { Effect, Option } from "effect";
import { readFileInput } from "../files/FileInput.ts";
import {
  type Keyring,
  KeyringError,
  type KeyringText,
  mergeKeyringTexts,
  parseKeyringText,
} from "./Keyring.ts";

/**
 * The environment variable naming a keyring file.
 *
 * @category constants
 * @since 0.1.0
 */
export const KEYS_FILE_ENV = "MIRO_TOKEN_STORE_KEYS_FILE";

/**
 * The environment variable holding a keyring's JSON.
 *
 * @category constants
 * @since 0.1.0
 */
export const KEYS_ENV = "MIRO_TOKEN_STORE_KEYS";

/**
 * The largest keyring file accepted.
 *
 * @category constants
 * @since 0.1.0
 */
export const MAX_KEYRING_BYTES = MAX_SECRET_INPUT_BYTES;

/** The keyring file's text, by the shared bounded reader; never its contents in an error. */
const readKeyringFile = (path: string): Effect.Effect<string, KeyringError> =>
  readFileInput(path, { maxBytes: MAX_KEYRING_BYTES }).pipe(
    Effect.mapError((error) => new KeyringError({ reason: `${KEYS_FILE_ENV}: ${error.reason}` })),
  );

/**
 * The keyring the environment configures: `None` when neither variable is set (or both are
 * empty), a `KeyringError` when one is set and unusable.
 *
 * @category loading
 * @since 0.1.0
 */
export const keyringFromEnv = (
  env: Readonly<Record<string, string | undefined>>,
): Effect.Effect<Option.Option<Keyring>, KeyringError> =>
  Effect.gen(function* () {
    const texts: Array<KeyringText> = [];
    const file = env[KEYS_FILE_ENV]?.trim() ?? "";
    if (file !== "") {
      const text = yield* readKeyringFile(file);
      texts.push(yield* Effect.fromResult(parseKeyringText(text, KEYS_FILE_ENV)));
    }
    const inline = env[KEYS_ENV]?.trim() ?? "";
    if (inline !== "") {
      texts.push(yield* Effect.fromResult(parseKeyringText(inline, KEYS_ENV)));
    }
    if (texts.length === 0) return Option.none();
    return Option.some(yield* Effect.fromResult(mergeKeyringTexts(texts)));
  });

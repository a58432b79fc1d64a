/**
 * Where a keyring comes from: the file named by `MIRO_TOKEN_STORE_KEYS_FILE` and/or the JSON
 * in `MIRO_TOKEN_STORE_KEYS` (merged: a key id given in both must hold the same key, and two
 * `current`s must agree). Never from argv: a command line is visible to every user of the
 * machine (`ps`) and lands in shell history.
 *
 * The file is read by a bounded reader: a regular file (after symbolic links, which secret
 * mounts use), at most 64 KiB; `/dev/zero`, a FIFO or a directory is refused at once.
 * `readBoundedText` is that reader's one seam: when `@miro-token/store-file/files` (the shared
 * bounded reader) lands, it is swapped for it.
 *
 * @since 0.1.0
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { Effect, Option } from "effect";
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
export const MAX_KEYRING_BYTES = 64 * 1024;

const errnoOf = (error: unknown): string =>
  typeof error === "object" &&
  error !== null &&
  typeof (error as { code?: unknown }).code === "string"
    ? (error as { code: string }).code
    : "read failed";

/**
 * The text of the regular file at `path`, at most `maxBytes`; never its contents in an error.
 * (The swap point for the shared bounded reader.)
 */
const readBoundedText = (path: string, maxBytes: number): Effect.Effect<string, KeyringError> =>
  Effect.tryPromise({
    try: async () => {
      const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const stat = await handle.stat();
        if (!stat.isFile())
          throw Object.assign(new Error("not a regular file"), { code: "not a regular file" });
        const buffer = Buffer.alloc(maxBytes + 1);
        let length = 0;
        for (;;) {
          const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
          if (bytesRead === 0) break;
          length += bytesRead;
          if (length > maxBytes) {
            throw Object.assign(new Error("too large"), { code: `larger than ${maxBytes} bytes` });
          }
        }
        return buffer.subarray(0, length).toString("utf8");
      } finally {
        await handle.close();
      }
    },
    catch: (error) => new KeyringError({ reason: `${KEYS_FILE_ENV}: ${errnoOf(error)}` }),
  });

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
      const text = yield* readBoundedText(file, MAX_KEYRING_BYTES);
      texts.push(yield* Effect.fromResult(parseKeyringText(text, KEYS_FILE_ENV)));
    }
    const inline = env[KEYS_ENV]?.trim() ?? "";
    if (inline !== "") {
      texts.push(yield* Effect.fromResult(parseKeyringText(inline, KEYS_ENV)));
    }
    if (texts.length === 0) return Option.none();
    return Option.some(yield* Effect.fromResult(mergeKeyringTexts(texts)));
  });

/**
 * What the file store needs to know about sealing without opening anything: the key id each
 * token file names (`null` for a plaintext one), read from the document's `sealed.kid`. Used
 * at open — a directory holding sealed documents is refused without a keyring, naming the key
 * ids it needs — and by `rekey` to find the documents not under the current key.
 *
 * @since 0.1.0
 */
import { join } from "node:path";
import type { StoreError } from "@miro-token/core";
import { Effect, Option } from "effect";
import { readFileIfExists } from "./AtomicFile.ts";
import { keyringRequired } from "./crypto/StoreSealing.ts";
import { keyIdOf } from "./crypto/TokenSeal.ts";
import { fsCall, type StoreFs, storeError } from "./StoreFs.ts";
import { idOfTokenFileName, tokenFileName } from "./StoreLayout.ts";

/** The key id `text` names: `null` when plaintext, `undefined` when it is not JSON. */
const keyIdOfText = (text: string): string | null | undefined => {
  try {
    const sealed = (JSON.parse(text) as { sealed?: unknown } | null)?.sealed;
    return sealed === undefined ? null : (keyIdOf(sealed) ?? "(unnamed)");
  } catch {
    return undefined;
  }
};

/**
 * The key id of the token file `name` (encoded id) in `directory`: `None` when there is no such
 * file, `null` when it is plaintext; a `StoreError` when it is not JSON.
 *
 * @category sealing
 * @since 0.1.0
 */
export const keyIdOfFile = (
  fs: StoreFs,
  directory: string,
  name: string,
  operation: string,
): Effect.Effect<Option.Option<string | null>, StoreError> =>
  readFileIfExists(fs, join(directory, tokenFileName(name)), operation).pipe(
    Effect.flatMap(
      Option.match({
        onNone: () => Effect.succeedNone,
        onSome: (text) => {
          const keyId = keyIdOfText(text);
          return keyId === undefined
            ? Effect.fail(
                storeError(operation, `corrupt token file ${tokenFileName(name)} (not JSON)`),
              )
            : Effect.succeed(Option.some(keyId));
        },
      }),
    ),
  );

/**
 * Every token file of `directory` with the key id it names (`null`: plaintext; unreadable
 * files are left out: reading them reports them).
 *
 * @category sealing
 * @since 0.1.0
 */
export const keyIdsOfDirectory = (
  fs: StoreFs,
  directory: string,
  operation: string,
): Effect.Effect<
  ReadonlyArray<{ readonly id: string; readonly keyId: string | null }>,
  StoreError
> =>
  Effect.gen(function* () {
    const names = yield* fsCall(operation, "readdir", () => fs.readdir(directory));
    const found = yield* Effect.forEach(
      names.flatMap((file) => Option.toArray(idOfTokenFileName(file))),
      ({ id, encoded }) =>
        keyIdOfFile(fs, directory, encoded, operation).pipe(
          Effect.map(Option.map((keyId) => ({ id, keyId }))),
          Effect.orElseSucceed(() => Option.none()),
        ),
      { concurrency: 8 },
    );
    return found.flatMap(Option.toArray);
  });

/**
 * Fail with `KeyMissing` (as `StoreError{operation: "open"}`) when `directory` holds sealed
 * documents: a store opened without its keyring could read none of them.
 *
 * @category sealing
 * @since 0.1.0
 */
export const refuseSealedWithoutKeyring = (
  fs: StoreFs,
  directory: string,
): Effect.Effect<void, StoreError> =>
  Effect.flatMap(keyIdsOfDirectory(fs, directory, "open"), (files) => {
    const keyIds = [
      ...new Set(files.flatMap(({ keyId }) => (keyId === null ? [] : [keyId]))),
    ].sort();
    return keyIds.length === 0 ? Effect.void : Effect.fail(keyringRequired(keyIds));
  });

/**
 * `rekey` for the file store: open the directory with the keyring, find the token files not
 * sealed under its current key (plaintext or an older key), and re-seal each through the
 * store's lock and compare-and-set (the rule is `crypto/Rekey.ts`). Safe while watchers run
 * on the same directory; resumable after a crash by running it again.
 *
 * ```ts
 * const keyring = Option.getOrThrow(yield* keyringFromEnv(process.env))
 * const report = yield* FileRekey.rekey({ directory: "/var/lib/miro-token", keyring })
 * ```
 *
 * @since 0.1.0
 */
import { resolve } from "node:path";
import type { StoreError } from "@miro-token/core";
import { Effect, Option, Stream } from "effect";
import type { Keyring } from "./crypto/Keyring.ts";
import { type RekeyOptions, type RekeyReport, rekeyStore } from "./crypto/Rekey.ts";
import { keyIdOfFile, keyIdsOfDirectory } from "./FileSealing.ts";
import { type FileTokenStoreOptions, make } from "./FileTokenStore.ts";
import { nodeStoreFs } from "./StoreFs.ts";
import { encodeId } from "./StoreLayout.ts";

/**
 * Re-seal every token file of `options.directory` not under `options.keyring.current`.
 *
 * @category rekey
 * @since 0.1.0
 */
export const rekey = (
  options: FileTokenStoreOptions & { readonly keyring: Keyring },
  rekeyOptions?: RekeyOptions,
): Effect.Effect<RekeyReport, StoreError> =>
  Effect.gen(function* () {
    const fs = options.fs ?? nodeStoreFs;
    const directory = resolve(options.directory);
    const store = yield* make(options);
    const current = options.keyring.current;
    const candidates = Stream.fromIterableEffect(
      Effect.map(keyIdsOfDirectory(fs, directory, "rekey"), (files) =>
        files.filter(({ keyId }) => keyId !== current).map(({ id }) => id),
      ),
    );
    const keyIdOf = (id: string) =>
      Option.match(encodeId(id), {
        onNone: () => Effect.succeedNone,
        onSome: (name) => keyIdOfFile(fs, directory, name, "rekey"),
      });
    return yield* rekeyStore({ store, current, candidates, keyIdOf }, rekeyOptions);
  });

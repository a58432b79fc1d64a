/**
 * A durable on-disk {@link TokenStore}: one JSON document per token in a 0700 directory, each
 * written atomically (temp file, fsync, rename, directory fsync) with mode 0600, a generation
 * number for compare-and-set, and a per-token lock that works across processes.
 *
 * ```ts
 * const StoreLive = FileTokenStore.layer({ directory: "/var/lib/miro-token" })
 * ```
 *
 * `withLock(id, effect)` takes the token's in-process semaphore and then its lock file (see
 * `FileLock.ts`). It is re-entrant: inside `effect` (and fibers it forks) the lock is known to
 * be held, so `compareAndSet` and `delete` — which take the lock themselves when called
 * outside — do not wait for it again. `get`, `list` and `scan` take no lock: a rename is
 * atomic, so a reader sees the old or the new document. `scan` reports a token file it cannot
 * read as unreadable (by file name) instead of failing; `list` fails on it (`EntryScan.ts`).
 *
 * `recordRefreshIntent` rewrites the token's document with the intent (same generation, same
 * atomic write); the next `compareAndSet` writes a document without it.
 *
 * A `StoreError` from `compareAndSet` means the outcome is unknown when it comes from the
 * final directory fsync (the new document may be visible but not yet durable): re-read with
 * `get` before deciding anything.
 *
 * `changes` follows the directory (`StoreChanges.ts`): a token file renamed into place or
 * removed, by any process, is reported without reading the others.
 *
 * With `keyring`, every write seals the token set (AES-256-GCM, `crypto/`); without one, a
 * directory holding sealed documents is refused at open, naming the key ids it needs.
 *
 * @since 0.1.0
 */
import { join, resolve } from "node:path";
import {
  type CompareAndSetResult,
  type StoredToken,
  type StoreError,
  TokenStore,
  type TokenStoreShape,
  tokenIdProblem,
} from "@miro-token/core";
import { makeKeyedLock } from "@miro-token/core/internal";
import { Clock, Context, Effect, Layer, Option, Scope } from "effect";
import { readFileIfExists, removeFile, replaceFile } from "./AtomicFile.ts";
import type { Keyring } from "./crypto/Keyring.ts";
import { scanEntries, strictEntries } from "./EntryScan.ts";
import * as FileLock from "./FileLock.ts";
import * as FileOutbox from "./FileOutbox.ts";
import { refuseSealedWithoutKeyring } from "./FileSealing.ts";
import { directoryChanges, type StoreChangesOptions } from "./StoreChanges.ts";
import * as StoreCodec from "./StoreCodec.ts";
import { openDirectory, sweepOrphanTemps } from "./StoreDirectory.ts";
import { fsCall, nodeStoreFs, type StoreFs, storeError } from "./StoreFs.ts";
import { encodeId, isTempFileOf, lockFileName, tokenFileName } from "./StoreLayout.ts";

export { PERMISSIONS_OPERATION } from "./StorePermissions.ts";

/**
 * @category models
 * @since 0.1.0
 */
export interface FileTokenStoreOptions {
  /** The store directory; created with mode 0700 if missing. */
  readonly directory: string;
  /**
   * Accept a store directory or token file that another user owns or that others can write
   * (logged as a warning, left as it is) instead of refusing it with
   * `StoreError{operation: "permissions"}`, as OpenSSH's `StrictModes no` would.
   *
   * @default false
   */
  readonly insecurePermissions?: boolean | undefined;
  /** Lock timing: staleness, heartbeat, wait timeout. */
  readonly lock?: FileLock.FileLockOptions | undefined;
  /**
   * The file system to use.
   *
   * @default node:fs/promises
   */
  readonly fs?: StoreFs | undefined;
  /**
   * Seal every token set written under the keyring's current key, and open sealed ones (see
   * `@miro-token/store-file/crypto`'s `keyringFromEnv`).
   *
   * @default none: plaintext documents; a store holding sealed ones is refused
   */
  readonly keyring?: Keyring | undefined;
  /** How `changes` (a watch of the directory) double-checks what it saw. */
  readonly changes?: StoreChangesOptions | undefined;
}

/**
 * The locks the current fiber holds, as `<directory>\0<encoded id>` keys: what makes
 * `withLock` re-entrant.
 */
const HeldLocks = Context.Reference<ReadonlySet<string>>("@miro-token/store-file/HeldLocks", {
  defaultValue: () => new Set(),
});

/**
 * One mutex per (directory, token) for the whole process, so two store instances over one
 * directory in one process queue in memory rather than polling each other's lock file.
 */
const locks = makeKeyedLock();

/**
 * Open the store in `options.directory` (create it; refuse it when another user owns it or
 * others can write it, unless `insecurePermissions`; tighten modes; remove orphaned temp
 * files) and build the service.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: FileTokenStoreOptions): Effect.Effect<TokenStoreShape, StoreError> =>
  Effect.gen(function* () {
    const fs = options.fs ?? nodeStoreFs;
    const directory = resolve(options.directory);
    yield* openDirectory(fs, directory, options.insecurePermissions === true);
    const keyring = options.keyring;
    if (keyring === undefined) yield* refuseSealedWithoutKeyring(fs, directory);

    const encoded = (operation: string, id: string): Effect.Effect<string, StoreError> =>
      Option.match(encodeId(id), {
        onNone: () =>
          Effect.fail(storeError(operation, `invalid id (the id ${tokenIdProblem(id)})`)),
        onSome: Effect.succeed,
      });

    const read = (
      operation: string,
      id: string,
      name: string,
    ): Effect.Effect<Option.Option<StoredToken>, StoreError> =>
      readFileIfExists(fs, join(directory, tokenFileName(name)), operation).pipe(
        Effect.flatMap(
          Option.match({
            onNone: () => Effect.succeedNone,
            onSome: (text) =>
              StoreCodec.decode(text, id, tokenFileName(name), operation, keyring).pipe(
                Effect.map(Option.some),
              ),
          }),
        ),
      );

    const lockedByName = <A, E, R>(
      name: string,
      effect: Effect.Effect<A, E, R>,
    ): Effect.Effect<A, E | StoreError, R> =>
      Effect.gen(function* () {
        const key = `${directory}\0${name}`;
        const held = yield* HeldLocks;
        if (held.has(key)) return yield* effect;
        const inside = Effect.provideService(effect, HeldLocks, new Set([...held, key]));
        return yield* locks.withLock(
          key,
          Effect.scopedWith((scope) =>
            FileLock.acquire(fs, join(directory, lockFileName(name)), options.lock).pipe(
              Scope.provide(scope),
              Effect.tap((recovered) =>
                recovered
                  ? sweepOrphanTemps(fs, directory, (file) =>
                      isTempFileOf(file, tokenFileName(name)),
                    )
                  : Effect.void,
              ),
              Effect.andThen(inside),
            ),
          ),
        );
      });

    const compareAndSet: TokenStoreShape["compareAndSet"] = (id, expectedGeneration, next) =>
      Effect.gen(function* () {
        const name = yield* encoded("compareAndSet", id);
        return yield* lockedByName(
          name,
          Effect.gen(function* () {
            const current = yield* read("compareAndSet", id, name);
            const generation = Option.match(current, {
              onNone: () => 0,
              onSome: (stored) => stored.generation,
            });
            if (generation !== expectedGeneration) {
              return { _tag: "Conflict", current } satisfies CompareAndSetResult;
            }
            const stored: StoredToken = {
              id,
              generation: expectedGeneration + 1,
              tokenSet: next,
              updatedAt: yield* Clock.currentTimeMillis,
            };
            yield* replaceFile(
              fs,
              directory,
              tokenFileName(name),
              StoreCodec.encode(stored, keyring),
              "compareAndSet",
            );
            return { _tag: "Written", stored } satisfies CompareAndSetResult;
          }),
        );
      });

    /** The intent goes into the token's own document (same generation), written atomically. */
    const recordRefreshIntent: TokenStoreShape["recordRefreshIntent"] = (id, intent) =>
      Effect.gen(function* () {
        const name = yield* encoded("recordRefreshIntent", id);
        return yield* lockedByName(
          name,
          Effect.gen(function* () {
            const current = yield* read("recordRefreshIntent", id, name);
            if (Option.isNone(current) || current.value.generation !== intent.generation) {
              return false;
            }
            const stored: StoredToken = { ...current.value, refreshIntent: intent };
            const text = StoreCodec.encode(stored, keyring);
            yield* replaceFile(fs, directory, tokenFileName(name), text, "recordRefreshIntent");
            return true;
          }),
        );
      });

    const scanAs = (operation: string) =>
      fsCall(operation, "readdir", () => fs.readdir(directory)).pipe(
        Effect.flatMap((names) => scanEntries(names, (id, name) => read(operation, id, name))),
      );

    return TokenStore.of({
      get: (id) => encoded("get", id).pipe(Effect.flatMap((name) => read("get", id, name))),
      list: () => scanAs("list").pipe(Effect.flatMap((scanned) => strictEntries(scanned, "list"))),
      scan: () => scanAs("scan"),
      compareAndSet,
      recordRefreshIntent,
      delete: (id) =>
        encoded("delete", id).pipe(
          Effect.flatMap((name) =>
            lockedByName(name, removeFile(fs, directory, tokenFileName(name), "delete")),
          ),
        ),
      withLock: (id, effect) =>
        encoded("lock", id).pipe(Effect.flatMap((name) => lockedByName(name, effect))),
      outbox: FileOutbox.make(fs, directory, options.lock),
      changes: () =>
        directoryChanges(fs, directory, (id, name) => read("changes", id, name), options.changes),
    });
  });

/**
 * The store as a layer: opening it (and failing with `StoreError` when the directory cannot be
 * created or fixed) happens when the layer is built.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: FileTokenStoreOptions): Layer.Layer<TokenStore, StoreError> =>
  Layer.effect(TokenStore, make(options));

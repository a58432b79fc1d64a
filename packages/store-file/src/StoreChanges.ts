/**
 * The file store's `changes` stream (core's `StoreChange`): what happens to the token files of
 * the store directory, by this process or any other, without reading every file. A directory
 * watch (`fs.watch`, inotify on Linux) names each token file renamed into place or removed;
 * only that file is read, to report `Written{id, generation}` or `Deleted{id}`. Names that
 * arrive together are read once. A file that cannot be read, or a watch that fails, is
 * answered with `Resync` (the reader then scans, which quarantines what cannot be read).
 *
 * Node's `fs.watch` drops an inotify queue overflow without telling us, so every
 * `checkInterval` the directory's names (no contents) are compared with the names seen: a
 * token file that appeared or vanished unseen is reported then. A rewrite missed that way
 * (another process's refresh) is caught by the refresh protocol itself: it re-reads the entry
 * under the lock before refreshing and adopts a newer generation.
 *
 * @since 0.3.0
 */
import { watch } from "node:fs";
import type { StoreChange, StoredToken, StoreError } from "@miro-token/core";
import { Cause, Duration, Effect, Option, Queue, Stream } from "effect";
import { fsCall, type StoreFs } from "./StoreFs.ts";
import { idOfTokenFileName } from "./StoreLayout.ts";

/**
 * Options of the change stream.
 *
 * @category models
 * @since 0.3.0
 */
export interface StoreChangesOptions {
  /** How often the directory's names are compared with those seen. @default 1 minute */
  readonly checkInterval?: Duration.Input | undefined;
}

type ReadEntry = (
  id: string,
  encoded: string,
) => Effect.Effect<Option.Option<StoredToken>, StoreError>;

const tokenFiles = (names: ReadonlyArray<string>): Set<string> =>
  new Set(names.filter((name) => Option.isSome(idOfTokenFileName(name))));

/**
 * The changes of the token files in `directory`, each read with `readEntry`.
 *
 * @category changes
 * @since 0.3.0
 */
export const directoryChanges = (
  fs: StoreFs,
  directory: string,
  readEntry: ReadEntry,
  options: StoreChangesOptions = {},
): Stream.Stream<StoreChange, StoreError> =>
  Stream.callback<StoreChange, StoreError>((out) =>
    Effect.gen(function* () {
      const checkEvery = Duration.toMillis(
        Duration.fromInputUnsafe(options.checkInterval ?? "1 minute"),
      );
      const named = yield* Queue.unbounded<string>();
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const watcher = watch(directory, { persistent: false }, (_event, name) => {
            if (typeof name === "string" && Option.isSome(idOfTokenFileName(name))) {
              Queue.offerUnsafe(named, name);
            }
          });
          watcher.on("error", () => {
            Queue.offerUnsafe(out, { _tag: "Resync" });
            Queue.endUnsafe(out);
          });
          return watcher;
        }),
        (watcher) => Effect.sync(() => watcher.close()),
      );
      let known = tokenFiles(yield* fsCall("changes", "readdir", () => fs.readdir(directory)));

      const report = (names: Iterable<string>) =>
        Effect.gen(function* () {
          for (const name of new Set(names)) {
            const file = idOfTokenFileName(name);
            if (Option.isNone(file)) continue;
            const { id, encoded } = file.value;
            const read = yield* Effect.result(readEntry(id, encoded));
            if (read._tag === "Failure") {
              Queue.offerUnsafe(out, { _tag: "Resync" });
            } else if (Option.isSome(read.success)) {
              known.add(name);
              const { generation } = read.success.value;
              Queue.offerUnsafe(out, { _tag: "Written", id, generation });
            } else {
              known.delete(name);
              Queue.offerUnsafe(out, { _tag: "Deleted", id });
            }
          }
        });

      // Every name waiting (at least one): a file rewritten twice meanwhile is read once.
      const follow = Effect.forever(Effect.flatMap(Queue.takeAll(named), report));
      const check = Effect.forever(
        Effect.gen(function* () {
          yield* Effect.sleep(checkEvery);
          const names = yield* fsCall("changes", "readdir", () => fs.readdir(directory));
          const now = tokenFiles(names);
          const missed = [...now].filter((name) => !known.has(name));
          const gone = [...known].filter((name) => !now.has(name));
          known = now;
          yield* report([...missed, ...gone]);
        }),
      );
      yield* Effect.forkScoped(follow);
      yield* Effect.forkScoped(
        Effect.catch(check, (error) =>
          Effect.sync(() => Queue.failCauseUnsafe(out, Cause.fail(error))),
        ),
      );
    }),
  );

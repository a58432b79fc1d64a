/**
 * How the store reads and replaces a file so that a crash at any instant leaves either the old
 * or the new complete document, never a torn one:
 *
 * 1. open `<name>.<pid>.<random>.tmp` in the same directory with `O_CREAT|O_EXCL|O_NOFOLLOW`
 *    and mode 0600 (set at creation, then `fchmod` 0600 so no umask can widen or narrow it);
 * 2. write, `fsync`, close;
 * 3. `rename` over the target (atomic on POSIX file systems);
 * 4. `fsync` the directory, so the rename itself survives power loss.
 *
 * Any failure before the rename removes the temp file and leaves the target untouched. The
 * whole sequence is uninterruptible: an interrupted fiber cannot leave a temp file behind. A
 * temp file can only outlive its writer when the process dies (SIGKILL, power loss); the
 * startup sweep and stale-lock recovery remove those.
 *
 * @since 0.1.0
 */
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { StoreError } from "@miro-token/core";
import { MAX_SECRET_INPUT_BYTES } from "@miro-token/core";
import { Effect, Option, type Scope } from "effect";
import { readBoundedText, refusalOf } from "./files/BoundedRead.ts";
import { fsCall, fsCallTolerating, type StoreFs, storeError } from "./StoreFs.ts";
import { tempFileName } from "./StoreLayout.ts";

/**
 * The mode of every file the store writes.
 *
 * @category constants
 * @since 0.1.0
 */
export const FILE_MODE = 0o600;

const closeQuietly = (handle: FileHandle): Effect.Effect<void> =>
  Effect.promise(() => handle.close().catch(() => undefined));

/**
 * Run `use` with a file handle and always close it; a failing close fails the effect when
 * `use` succeeded (on some file systems close is where a write error surfaces).
 *
 * @category combinators
 * @since 0.1.0
 */
export const withHandle = <A>(
  open: Effect.Effect<FileHandle, StoreError>,
  operation: string,
  use: (handle: FileHandle) => Effect.Effect<A, StoreError>,
): Effect.Effect<A, StoreError> =>
  Effect.acquireUseRelease(
    open.pipe(Effect.map((handle) => ({ handle, closed: false }))),
    (held) =>
      use(held.handle).pipe(
        Effect.tap(() =>
          fsCall(operation, "close", () => {
            held.closed = true;
            return held.handle.close();
          }),
        ),
      ),
    (held) => (held.closed ? Effect.void : closeQuietly(held.handle)),
  );

/**
 * `fsync` a directory, making renames and unlinks in it durable.
 *
 * @category durability
 * @since 0.1.0
 */
export const syncDirectory = (
  fs: StoreFs,
  directory: string,
  operation: string,
): Effect.Effect<void, StoreError> =>
  withHandle(
    fsCall(operation, "open directory", () =>
      fs.open(directory, constants.O_RDONLY | constants.O_DIRECTORY),
    ),
    operation,
    (handle) => fsCall(operation, "fsync directory", () => handle.sync()),
  );

/**
 * A replacement of a file, prepared: the temp file exists (so the directory is known to be
 * writable); `commit` writes, fsyncs and renames it over the target. Until then the target is
 * untouched, and closing the scope without a commit removes the temp file.
 *
 * @category models
 * @since 0.1.0
 */
export interface PendingReplace {
  readonly commit: (contents: string) => Effect.Effect<void, StoreError>;
}

/**
 * Create the temp file for replacing `directory/name` now (`O_CREAT|O_EXCL|O_NOFOLLOW`, mode
 * 0600); the returned `commit` finishes the replacement. `refresh --token-set` prepares before
 * asking Miro, so a rotated pair is never obtained that could not be written.
 *
 * @category writing
 * @since 0.1.0
 */
export const prepareReplace = (
  fs: StoreFs,
  directory: string,
  name: string,
  operation: string,
): Effect.Effect<PendingReplace, StoreError, Scope.Scope> =>
  Effect.gen(function* () {
    const tempPath = join(directory, tempFileName(name));
    const state = { closed: false, committed: false };
    const handle = yield* Effect.acquireRelease(
      fsCall(operation, "open temp file", () =>
        fs.open(
          tempPath,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          FILE_MODE,
        ),
      ),
      (handle) =>
        Effect.andThen(
          state.closed ? Effect.void : closeQuietly(handle),
          state.committed
            ? Effect.void
            : fsCallTolerating(operation, "remove temp file", ["ENOENT"], () =>
                fs.unlink(tempPath),
              ).pipe(Effect.ignore),
        ),
    );
    const commit = (contents: string): Effect.Effect<void, StoreError> =>
      fsCall(operation, "chmod", () => handle.chmod(FILE_MODE)).pipe(
        Effect.andThen(fsCall(operation, "write", () => handle.writeFile(contents, "utf8"))),
        Effect.andThen(fsCall(operation, "fsync", () => handle.sync())),
        // On some file systems close is where a write error surfaces: it must succeed too.
        Effect.andThen(
          fsCall(operation, "close", () => {
            state.closed = true;
            return handle.close();
          }),
        ),
        Effect.andThen(
          fsCall(operation, "rename", () => fs.rename(tempPath, join(directory, name))),
        ),
        Effect.tap(() =>
          Effect.sync(() => {
            state.committed = true;
          }),
        ),
        Effect.andThen(syncDirectory(fs, directory, operation)),
        Effect.uninterruptible,
      );
    return { commit };
  });

/**
 * Replace `directory/name` with `contents`, durably, with mode 0600.
 *
 * @category writing
 * @since 0.1.0
 */
export const replaceFile = (
  fs: StoreFs,
  directory: string,
  name: string,
  contents: string,
  operation: string,
): Effect.Effect<void, StoreError> =>
  Effect.scoped(
    Effect.flatMap(prepareReplace(fs, directory, name, operation), (pending) =>
      pending.commit(contents),
    ),
  ).pipe(Effect.uninterruptible);

/**
 * Remove `directory/name` durably; a file that is already gone is fine.
 *
 * @category writing
 * @since 0.1.0
 */
export const removeFile = (
  fs: StoreFs,
  directory: string,
  name: string,
  operation: string,
): Effect.Effect<void, StoreError> =>
  fsCallTolerating(operation, "unlink", ["ENOENT"], () => fs.unlink(join(directory, name))).pipe(
    Effect.andThen(syncDirectory(fs, directory, operation)),
    Effect.uninterruptible,
  );

/**
 * The text of `path`, `None` when it does not exist. A symbolic link is refused (`ELOOP`):
 * token files are only ever regular files the store wrote itself. Read by the shared bounded
 * rule (`files/BoundedRead.ts`): opened `O_NONBLOCK` (a FIFO does not block), a regular file
 * by `fstat`, at most 64 KiB — anything else is a `StoreError`, never a hang or a huge read.
 *
 * @category reading
 * @since 0.1.0
 */
export const readFileIfExists = (
  fs: StoreFs,
  path: string,
  operation: string,
): Effect.Effect<Option.Option<string>, StoreError> =>
  // The open runs as the (uninterruptible) acquire: an interrupted read still gets its handle
  // back and closes it, instead of leaving it to the garbage collector.
  Effect.acquireUseRelease(
    fsCallTolerating(operation, "open", ["ENOENT"], () =>
      fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK),
    ).pipe(
      Effect.catchTag("StoreError", (error) =>
        Effect.fail(
          error.reason.startsWith("ELOOP")
            ? storeError(operation, "ELOOP (token file is a symbolic link; refused)")
            : error,
        ),
      ),
    ),
    (handle) =>
      handle === undefined
        ? Effect.succeed(Option.none<string>())
        : fsCall(operation, "read", () =>
            readBoundedText(
              {
                stat: () => handle.stat(),
                read: (buffer, offset, length) =>
                  handle.read(buffer, offset, length, null).then((result) => result.bytesRead),
              },
              MAX_SECRET_INPUT_BYTES,
            ),
          ).pipe(
            Effect.flatMap((found) =>
              found._tag === "Text"
                ? Effect.succeed(Option.some(found.text))
                : Effect.fail(storeError(operation, `token file is ${refusalOf(found)}; refused`)),
            ),
          ),
    (handle) => (handle === undefined ? Effect.void : closeQuietly(handle)),
  );

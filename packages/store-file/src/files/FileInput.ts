/**
 * The one reader of files named by a user: `--token-file`, `--client-secret-file`,
 * `--token-set`, the watcher's `--client-secret-file` and `--http-token-file`. It opens the
 * path (`O_NONBLOCK`; `O_NOFOLLOW` too when symbolic links are refused), checks on the open
 * descriptor that it is a regular file, reads at most `maxBytes + 1` bytes
 * (`BoundedRead.ts`) and always closes it. A refusal is a {@link FileInputError} whose reason
 * is an errno code or a fixed phrase — never the path or the contents — which each app turns
 * into its usage error (exit 2).
 *
 * Built on `node:fs` callbacks rather than `node:fs/promises`, which loads readline and more
 * at start-up: the CLI reads a token file on its fastest path (`info`).
 *
 * @since 0.1.0
 */
import { close, constants, fstat, open, read } from "node:fs";
import { MAX_SECRET_INPUT_BYTES } from "@miro-token/core";
import { Data, Effect } from "effect";
import { readBoundedText, refusalOf } from "./BoundedRead.ts";
import { errnoCode } from "./Errno.ts";

/**
 * A file input that was refused: `ENOENT`, `EACCES`, `ELOOP` (a refused symbolic link),
 * `not a regular file`, `larger than 65536 bytes`.
 *
 * @category errors
 * @since 0.1.0
 */
export class FileInputError extends Data.TaggedError("FileInputError")<{
  readonly reason: string;
}> {}

/**
 * Options of {@link readFileInput}.
 *
 * @category models
 * @since 0.1.0
 */
export interface FileInputOptions {
  /** Most bytes accepted. @default MAX_SECRET_INPUT_BYTES (64 KiB) */
  readonly maxBytes?: number | undefined;
  /** Refuse a symbolic link (`ELOOP`) instead of following it. @default false */
  readonly noFollow?: boolean | undefined;
}

const failed = (error: unknown) =>
  new FileInputError({ reason: errnoCode(error) ?? "read failed" });

const call = <A>(run: (done: (error: unknown, value?: A) => void) => void) =>
  new Promise<A>((resolve, reject) =>
    run((error, value) =>
      error === null || error === undefined ? resolve(value as A) : reject(error),
    ),
  );

/**
 * The text of the file at `path` and its modification time (epoch ms, from the same `fstat`),
 * read by the bounded rule.
 *
 * @category reading
 * @since 0.1.0
 */
export const readFileInputStamped = (
  path: string,
  options: FileInputOptions = {},
): Effect.Effect<{ readonly text: string; readonly modifiedAt: number }, FileInputError> =>
  Effect.acquireUseRelease(
    Effect.tryPromise({
      try: () =>
        call<number>((done) =>
          open(
            path,
            constants.O_RDONLY |
              constants.O_NONBLOCK |
              (options.noFollow === true ? constants.O_NOFOLLOW : 0),
            done,
          ),
        ),
      catch: failed,
    }),
    (fd) =>
      Effect.tryPromise({
        try: () =>
          readBoundedText(
            {
              stat: () => call((done) => fstat(fd, done)),
              read: (buffer, offset, length) =>
                call<number>((done) => read(fd, buffer, offset, length, null, done)),
            },
            options.maxBytes ?? MAX_SECRET_INPUT_BYTES,
          ),
        catch: failed,
      }).pipe(
        Effect.flatMap((found) =>
          found._tag === "Text"
            ? Effect.succeed({ text: found.text, modifiedAt: found.modifiedAt })
            : Effect.fail(new FileInputError({ reason: refusalOf(found) })),
        ),
      ),
    (fd) => Effect.promise(() => call<void>((done) => close(fd, done)).catch(() => undefined)),
  );

/**
 * The text of the file at `path`, read by the bounded rule.
 *
 * @category reading
 * @since 0.1.0
 */
export const readFileInput = (
  path: string,
  options: FileInputOptions = {},
): Effect.Effect<string, FileInputError> =>
  Effect.map(readFileInputStamped(path, options), (read) => read.text);

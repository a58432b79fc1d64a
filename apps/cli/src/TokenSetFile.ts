/**
 * A plain token-set file (`refresh --token-set <path>`): one token response document, mode
 * 0600. A refresh rotates the refresh token, so the new pair must reach the disk or access is
 * lost. The temporary file beside the target is therefore created (proving the directory is
 * writable) before Miro is asked, and the new pair is written, fsync-ed and renamed over the
 * target afterwards. The temporary file is removed on any failure.
 *
 * A symbolic link is refused, as the file store refuses one: renaming over the link would
 * replace it with a regular file and leave its target holding a pair that Miro has retired.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, lstat, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { StoreError } from "@miro-token/core";
import { Effect, type Scope } from "effect";
import { UsageError } from "./Failure.ts";
import { MAX_SECRET_INPUT_BYTES } from "./TokenInput.ts";

const codeOf = (error: unknown): string => {
  const code = (error as { readonly code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]+$/.test(code) ? code : "failed";
};

const SYMLINK_REFUSED =
  "the file given to --token-set is a symbolic link; refused (give the path of its target)";

/** Reject with `ELOOP` when `path` is a symbolic link (checked before reading and again before the rename). */
const refuseSymlink = async (path: string): Promise<void> => {
  const info = await lstat(path).catch(() => undefined);
  if (info?.isSymbolicLink() === true) throw Object.assign(new Error(), { code: "ELOOP" });
};

/** The file's text and modification time (epoch ms); a symbolic link is a usage error. */
export const readTokenSetFile = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      await refuseSymlink(path);
      const info = await stat(path);
      if (info.size > MAX_SECRET_INPUT_BYTES) throw Object.assign(new Error(), { code: "EFBIG" });
      return { text: await readFile(path, "utf8"), modifiedAt: info.mtimeMs };
    },
    catch: (error) =>
      new UsageError({
        reason:
          codeOf(error) === "ELOOP"
            ? SYMLINK_REFUSED
            : `cannot read the file given to --token-set (${codeOf(error)})`,
      }),
  });

/** A prepared replacement of a file: write the new content, then commit or (on release) drop. */
export interface PendingWrite {
  readonly commit: (content: string) => Effect.Effect<void, StoreError>;
}

/** Create the temporary file now; `commit` writes, fsyncs and renames it over `path`. */
export const prepareAtomicWrite = (
  path: string,
): Effect.Effect<PendingWrite, StoreError, Scope.Scope> =>
  Effect.gen(function* () {
    const temp = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
    );
    let committed = false;
    const handle = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => open(temp, "wx", 0o600),
        catch: (error) =>
          new StoreError({
            attempts: 0,
            operation: "prepare token-set file",
            reason: codeOf(error),
          }),
      }),
      (file: FileHandle) =>
        Effect.promise(async () => {
          await file.close().catch(() => undefined);
          if (!committed) await unlink(temp).catch(() => undefined);
        }),
    );
    return {
      commit: (content) =>
        Effect.tryPromise({
          try: async () => {
            await handle.writeFile(content, "utf8");
            await handle.sync();
            await refuseSymlink(path);
            await rename(temp, path);
            committed = true;
            const directory = await open(dirname(path), "r");
            await directory.sync().finally(() => directory.close());
          },
          catch: (error) =>
            new StoreError({
              attempts: 0,
              operation: "write token-set file",
              reason: codeOf(error),
            }),
        }),
    };
  });

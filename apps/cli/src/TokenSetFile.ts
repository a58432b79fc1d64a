/**
 * A plain token-set file (`refresh --token-set <path>`): one token response document, mode
 * 0600. A refresh rotates the refresh token, so the new pair must reach the disk or access is
 * lost. The replacement is therefore prepared (its temp file created beside the target,
 * proving the directory writable) before Miro is asked, and committed (written, fsync-ed,
 * renamed over the target, directory fsync-ed) afterwards, by the file store's own atomic
 * replace (`prepareReplace`: `O_EXCL|O_NOFOLLOW`, 0600). The temp file is removed on any
 * failure.
 *
 * The file is read by the shared bounded reader with symbolic links refused: replacing a
 * link would leave its target holding the old, dead pair.
 */
import { basename, dirname } from "node:path";
import type { StoreError } from "@miro-token/core";
import { nodeStoreFs, type PendingReplace, prepareReplace } from "@miro-token/store-file";
import type { Effect, Scope } from "effect";
import { readInputFileStamped } from "./TokenInput.ts";

/** The file's text and modification time (epoch ms). */
export const readTokenSetFile = (path: string) =>
  readInputFileStamped(path, "--token-set", { noFollow: true });

/** Create the temporary file now; `commit` writes, fsyncs and renames it over `path`. */
export const prepareAtomicWrite = (
  path: string,
): Effect.Effect<PendingReplace, StoreError, Scope.Scope> =>
  prepareReplace(nodeStoreFs, dirname(path), basename(path), "write token-set file");

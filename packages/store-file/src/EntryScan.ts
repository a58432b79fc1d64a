/**
 * Listing a store directory without letting one bad file stop the listing. Every token file is
 * read; one that cannot be read for a reason that will not pass by itself (not JSON, the wrong
 * shape, another id, a symbolic link, a directory, no permission, an I/O error on that file) is
 * reported as an `UnreadableEntry` — quarantined, named by its file name and never quoted —
 * while the others are returned. A failure that says nothing about the file (out of file
 * descriptors or memory, an interrupted call) fails the whole scan instead: quarantining a
 * healthy token for it would stop watching that token.
 *
 * `list` keeps its strict contract on top: it fails with the first unreadable entry's error.
 *
 * @since 0.1.0
 */
import type { StoredToken, StoreError, StoreScan, UnreadableEntry } from "@miro-token/core";
import { Effect, Option, Result } from "effect";
import { storeError } from "./StoreFs.ts";
import { idOfTokenFileName, tokenFileName } from "./StoreLayout.ts";

/** Errno codes that describe the process or the moment, not the file. */
const TRANSIENT = new Set(["EMFILE", "ENFILE", "EAGAIN", "EINTR", "ENOMEM", "EBUSY"]);

const isTransient = (error: StoreError): boolean => {
  const code = /^(E[A-Z0-9]+) \(/.exec(error.reason)?.[1];
  return code !== undefined && TRANSIENT.has(code);
};

/**
 * Read every token file among `names` with `read` (at most 8 at once): the readable entries,
 * and the unreadable ones. Fails on a transient error.
 *
 * @category scanning
 * @since 0.1.0
 */
export const scanEntries = (
  names: ReadonlyArray<string>,
  read: (id: string, encoded: string) => Effect.Effect<Option.Option<StoredToken>, StoreError>,
): Effect.Effect<StoreScan, StoreError> =>
  Effect.gen(function* () {
    const results = yield* Effect.forEach(
      names.flatMap((file) => Option.toArray(idOfTokenFileName(file))),
      ({ id, encoded }) =>
        Effect.result(read(id, encoded)).pipe(Effect.map((result) => ({ id, encoded, result }))),
      { concurrency: 8 },
    );
    const entries: Array<StoredToken> = [];
    const unreadable: Array<UnreadableEntry> = [];
    for (const { id, encoded, result } of results) {
      if (Result.isSuccess(result)) {
        entries.push(...Option.toArray(result.success));
      } else if (isTransient(result.failure)) {
        return yield* Effect.fail(result.failure);
      } else {
        unreadable.push({ id, location: tokenFileName(encoded), reason: result.failure.reason });
      }
    }
    return { entries, unreadable };
  });

/**
 * The strict listing: the entries, or a `StoreError` for the first unreadable one.
 *
 * @category scanning
 * @since 0.1.0
 */
export const strictEntries = (
  scan: StoreScan,
  operation: string,
): Effect.Effect<ReadonlyArray<StoredToken>, StoreError> => {
  const first = scan.unreadable[0];
  return first === undefined
    ? Effect.succeed(scan.entries)
    : Effect.fail(storeError(operation, first.reason));
};

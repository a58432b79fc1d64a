/**
 * Looking at a lock file someone else holds, and judging it: who holds it, which file it is
 * (inode + mtime, so a recoverer removes exactly the lock it judged), whether it is stale, and
 * whether it is a lock file at all (a directory or symbolic link at the lock path is "broken",
 * reported at once rather than as a raw `EISDIR` after the whole wait).
 *
 * A heartbeat in the future cannot be aged against the clock: it is stale once it has stayed
 * unchanged for `staleAfter` while this waiter watched, since a live holder moves it every
 * heartbeat interval. Judging it by age alone blocked the token until the clock caught up.
 *
 * @since 0.1.0
 */
import { hostname } from "node:os";
import { basename } from "node:path";
import type { StoreError } from "@miro-token/core";
import { Effect, Option } from "effect";
import { readFileIfExists } from "./AtomicFile.ts";
import { isProcessAlive } from "./ProcessLiveness.ts";
import { fsCallTolerating, type StoreFs, storeError } from "./StoreFs.ts";

/**
 * Who holds a lock, as written in the lock file.
 *
 * @category models
 * @since 0.1.0
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly acquiredAt: number;
}

/** The owner record in a lock file's text, `undefined` when it is not one. */
export const parseOwner = (text: string): LockOwner | undefined => {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    return typeof value.pid === "number" && typeof value.host === "string"
      ? { pid: value.pid, host: value.host, acquiredAt: Number(value.acquiredAt) }
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A lock file as observed once: who holds it and which file (inode + mtime) it was.
 *
 * @category models
 * @since 0.1.0
 */
export interface Observation {
  readonly owner: LockOwner | undefined;
  readonly identity: string;
  readonly mtimeMs: number;
}

/** A lock file's identity: its inode and mtime (a heartbeat changes it). */
export const identityOf = (stats: { readonly ino: number; readonly mtimeMs: number }): string =>
  `${stats.ino}-${Math.round(stats.mtimeMs * 1000)}`;

const kindOf = (stats: { isDirectory(): boolean; isSymbolicLink(): boolean }): string =>
  stats.isDirectory()
    ? "a directory"
    : stats.isSymbolicLink()
      ? "a symbolic link"
      : "not a regular file";

/**
 * Look at the lock at `path` once: `None` when there is none; a `StoreError` ("broken lock")
 * when something other than a regular file is there.
 *
 * @category observing
 * @since 0.1.0
 */
export const observe = (
  fs: StoreFs,
  path: string,
): Effect.Effect<Option.Option<Observation>, StoreError> =>
  Effect.gen(function* () {
    const stats = yield* fsCallTolerating("lock", "lstat lock", ["ENOENT"], () => fs.lstat(path));
    if (stats === undefined) return Option.none();
    if (!stats.isFile()) {
      return yield* Effect.fail(
        storeError(
          "lock",
          `broken lock: ${basename(path)} is ${kindOf(stats)}, not a lock file; ` +
            "remove it to unblock this token",
        ),
      );
    }
    const text = yield* readFileIfExists(fs, path, "lock");
    const owner = Option.match(text, { onNone: () => undefined, onSome: parseOwner });
    return Option.some({ owner, identity: identityOf(stats), mtimeMs: stats.mtimeMs });
  });

/**
 * When this waiter first saw each future-dated lock identity (Clock ms): a heartbeat in the
 * future cannot be aged, so it is timed by how long it stays unchanged.
 */
export type FutureSightings = Map<string, number>;

/**
 * Whether an observed lock is stale at `now` (Clock ms): its holder is gone on this host, its
 * heartbeat is older than `staleAfterMs`, or its heartbeat is in the future and has stayed the
 * same for `staleAfterMs` of this waiter's `sightings`.
 *
 * @category observing
 * @since 0.1.0
 */
export const isStale = (
  observation: Observation,
  now: number,
  staleAfterMs: number,
  sightings: FutureSightings,
): boolean => {
  const owner = observation.owner;
  if (owner !== undefined && owner.host === hostname() && !isProcessAlive(owner.pid)) return true;
  if (observation.mtimeMs <= now) return now - observation.mtimeMs > staleAfterMs;
  const firstSeen = sightings.get(observation.identity) ?? now;
  sightings.set(observation.identity, firstSeen);
  return now - firstSeen >= staleAfterMs;
};

/** Say why a future-dated lock is broken: it is otherwise silent, and looks like a hang. */
export const warnIfFuture = (path: string, observation: Observation, now: number) =>
  observation.mtimeMs > now
    ? Effect.logWarning(
        `store-file: lock ${basename(path)} had a heartbeat ${Math.round((observation.mtimeMs - now) / 1000)} s ` +
          "in the future that did not move; treated as stale",
      )
    : Effect.void;

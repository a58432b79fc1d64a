/**
 * A cross-process lock on one file path, with stale-lock recovery.
 *
 * - **Acquire**: create the lock file with `O_CREAT|O_EXCL` (one creator wins, atomically) and
 *   write the holder's `{pid, host, acquiredAt}` into it. The handle stays open.
 * - **Hold**: a heartbeat sets the file's mtime every `heartbeatInterval`.
 * - **Stale**: the holder's pid is gone on this host (`kill(pid, 0)` → ESRCH), or the heartbeat
 *   is older than `staleAfter` (a crashed holder on another host, a reused pid, a holder that
 *   died between creating the file and writing its owner), or the heartbeat is in the future
 *   and has not moved for `staleAfter` of this waiter's own watching (a file touched with a
 *   future date, or written before the clock was set back: a live holder would have moved it
 *   within a heartbeat interval). Without that last rule such a lock blocked every refresh
 *   of its token until the clock caught up.
 * - **Broken**: something that is not a regular file (a directory, a symbolic link) sits at
 *   the lock path. The store never creates one and will not remove one, so the lock fails at
 *   once with a `StoreError` saying what is there and what to do, instead of a raw `EISDIR`
 *   after the whole wait.
 * - **Recover**: a stale lock is identified by its inode and mtime. To remove it, a recoverer
 *   must first create the break marker `<lock>.break-<identity>` with `O_EXCL`, so exactly one
 *   recoverer removes one observed stale lock; it then re-checks the lock's identity before
 *   unlinking, so a fresh lock created meanwhile is never removed. A marker left by a recoverer
 *   that died is itself a stale lock and is broken the same way, one level deeper. After the
 *   removal everyone competes with `O_EXCL` again.
 * - **Wait**: busy attempts retry on an Effect `Schedule` (exponential, capped, jittered) until
 *   `timeout`, then fail with `StoreError{operation: "lock"}`. The clock is Effect's `Clock`,
 *   so tests drive waiting, heartbeats and staleness with `TestClock`.
 *
 * @since 0.1.0
 */
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { hostname } from "node:os";
import type { StoreError } from "@miro-token/core";
import { Clock, Data, Duration, Effect, Option, Schedule, type Scope } from "effect";
import { FILE_MODE } from "./AtomicFile.ts";
import {
  type FutureSightings,
  identityOf,
  isStale,
  type LockOwner,
  type Observation,
  observe,
  warnIfFuture,
} from "./LockObservation.ts";
import { fsCall, fsCallTolerating, type StoreFs, storeError } from "./StoreFs.ts";

/**
 * @category models
 * @since 0.1.0
 */
export interface FileLockOptions {
  /**
   * A lock whose heartbeat is older than this is stale.
   *
   * @default "10 seconds"
   */
  readonly staleAfter?: Duration.Input | undefined;
  /**
   * How often the holder refreshes its heartbeat.
   *
   * @default staleAfter / 4
   */
  readonly heartbeatInterval?: Duration.Input | undefined;
  /**
   * How long to wait for a busy lock before failing.
   *
   * @default "30 seconds"
   */
  readonly timeout?: Duration.Input | undefined;
}

interface ResolvedOptions {
  readonly staleAfterMs: number;
  readonly heartbeat: Duration.Duration;
  readonly timeout: Duration.Duration;
}

const resolve = (options: FileLockOptions): ResolvedOptions => {
  const staleAfterMs = Duration.toMillis(options.staleAfter ?? "10 seconds");
  return {
    staleAfterMs,
    heartbeat: Duration.fromInputUnsafe(options.heartbeatInterval ?? staleAfterMs / 4),
    timeout: Duration.fromInputUnsafe(options.timeout ?? "30 seconds"),
  };
};

class LockBusy extends Data.TaggedError("LockBusy")<{ readonly holderPid: number | undefined }> {}

const MAX_BREAK_DEPTH = 3;

/**
 * The break marker a recoverer creates before removing the lock file `path` as it was when
 * `stats` were taken.
 *
 * @category locking
 * @since 0.1.0
 */
export const breakMarkerPath = (
  path: string,
  stats: { readonly ino: number; readonly mtimeMs: number },
): string => markerOf(path, identityOf(stats));

const markerOf = (path: string, identity: string): string => `${path}.break-${identity}`;

/** Create `path` exclusively and write our owner record; `None` if it exists. */
const create = (fs: StoreFs, path: string): Effect.Effect<Option.Option<FileHandle>, StoreError> =>
  Effect.gen(function* () {
    const handle = yield* fsCallTolerating("lock", "create lock", ["EEXIST"], () =>
      fs.open(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        FILE_MODE,
      ),
    );
    if (handle === undefined) return Option.none();
    const acquiredAt = yield* Clock.currentTimeMillis;
    const owner: LockOwner = { pid: process.pid, host: hostname(), acquiredAt };
    yield* fsCall("lock", "write lock owner", () => handle.writeFile(JSON.stringify(owner))).pipe(
      Effect.tapError(() => removeOwned(fs, path, handle)),
    );
    return Option.some(handle);
  }).pipe(Effect.uninterruptible);

/** Unlink `path` if it is still the file `handle` refers to, then close `handle`. */
const removeOwned = (fs: StoreFs, path: string, handle: FileHandle): Effect.Effect<void> =>
  Effect.gen(function* () {
    const [ours, current] = yield* Effect.all([
      fsCall("lock", "fstat lock", () => handle.stat()),
      fsCallTolerating("lock", "lstat lock", ["ENOENT"], () => fs.lstat(path)),
    ]);
    if (current !== undefined && current.ino === ours.ino) {
      yield* fsCallTolerating("lock", "unlink lock", ["ENOENT"], () => fs.unlink(path));
    }
  }).pipe(
    Effect.ignore,
    Effect.ensuring(Effect.promise(() => handle.close().catch(() => undefined))),
  );

/**
 * Remove the stale lock at `path` if it is still the one observed. `true` when this call
 * removed it (or found it gone); `false` when another recoverer is at work.
 */
const breakStale = (
  fs: StoreFs,
  path: string,
  stale: Observation,
  options: ResolvedOptions,
  sightings: FutureSightings,
  depth: number,
): Effect.Effect<boolean, StoreError> =>
  Effect.gen(function* () {
    const marker = markerOf(path, stale.identity);
    const markerHandle = yield* create(fs, marker);
    if (Option.isNone(markerHandle)) {
      const markerState = yield* observe(fs, marker);
      const now = yield* Clock.currentTimeMillis;
      if (
        depth < MAX_BREAK_DEPTH &&
        Option.isSome(markerState) &&
        isStale(markerState.value, now, options.staleAfterMs, sightings)
      ) {
        yield* breakStale(fs, marker, markerState.value, options, sightings, depth + 1);
      }
      return false;
    }
    return yield* fsCallTolerating("lock", "lstat lock", ["ENOENT"], () => fs.lstat(path)).pipe(
      Effect.flatMap((current) =>
        current !== undefined && identityOf(current) === stale.identity
          ? fsCallTolerating("lock", "unlink stale lock", ["ENOENT"], () => fs.unlink(path)).pipe(
              Effect.as(true),
            )
          : Effect.succeed(current === undefined),
      ),
      Effect.ensuring(removeOwned(fs, marker, markerHandle.value)),
    );
  }).pipe(Effect.uninterruptible);

/**
 * One attempt: take the lock if it is free, recover it if it is stale, else `LockBusy`.
 * `recovered` says whether a stale lock was removed on the way.
 */
const attempt = (
  fs: StoreFs,
  path: string,
  options: ResolvedOptions,
  sightings: FutureSightings,
): Effect.Effect<{ handle: FileHandle; recovered: boolean }, StoreError | LockBusy, Scope.Scope> =>
  Effect.gen(function* () {
    let recovered = false;
    for (let round = 0; round < 2; round++) {
      const created = yield* Effect.uninterruptible(
        create(fs, path).pipe(
          Effect.tap((handle) =>
            Option.isSome(handle)
              ? Effect.addFinalizer(() => removeOwned(fs, path, handle.value))
              : Effect.void,
          ),
        ),
      );
      if (Option.isSome(created)) return { handle: created.value, recovered };
      const observed = yield* observe(fs, path);
      if (Option.isNone(observed)) continue;
      const now = yield* Clock.currentTimeMillis;
      if (!isStale(observed.value, now, options.staleAfterMs, sightings)) {
        return yield* new LockBusy({ holderPid: observed.value.owner?.pid });
      }
      yield* warnIfFuture(path, observed.value, now);
      const removed = yield* breakStale(fs, path, observed.value, options, sightings, 0);
      recovered = recovered || removed;
      if (!removed) return yield* new LockBusy({ holderPid: observed.value.owner?.pid });
    }
    return yield* new LockBusy({ holderPid: undefined });
  });

const retrySchedule = (timeout: Duration.Duration) =>
  Schedule.min([Schedule.exponential("2 millis", 2), Schedule.spaced("100 millis")]).pipe(
    Schedule.jittered,
    Schedule.upTo({ duration: timeout }),
  );

/**
 * Hold the lock at `path` for the rest of the current scope: waits while it is busy, recovers
 * it when stale, heartbeats while held, and removes it when the scope closes. Succeeds with
 * `true` when a stale lock was recovered on the way (its holder crashed).
 *
 * @category locking
 * @since 0.1.0
 */
export const acquire = (
  fs: StoreFs,
  path: string,
  options: FileLockOptions = {},
): Effect.Effect<boolean, StoreError, Scope.Scope> => {
  const resolved = resolve(options);
  // One waiter's sightings of future-dated locks, shared by its retries.
  const waiting = Effect.suspend(() => {
    const once = attempt(fs, path, resolved, new Map());
    return Duration.isZero(resolved.timeout)
      ? once
      : once.pipe(
          Effect.retry({
            schedule: retrySchedule(resolved.timeout),
            while: (error) => error._tag === "LockBusy",
          }),
        );
  });
  return waiting.pipe(
    Effect.catchTag("LockBusy", (busy) =>
      Effect.fail(
        storeError(
          "lock",
          `timed out after ${Duration.toMillis(resolved.timeout)} ms` +
            (busy.holderPid === undefined ? "" : ` (held by pid ${busy.holderPid})`),
        ),
      ),
    ),
    Effect.tap(({ handle }) =>
      Effect.forkScoped(
        Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) =>
            Effect.promise(() => handle.utimes(now / 1000, now / 1000).catch(() => undefined)),
          ),
          Effect.repeat(Schedule.spaced(resolved.heartbeat)),
        ),
      ),
    ),
    Effect.map(({ recovered }) => recovered),
  );
};

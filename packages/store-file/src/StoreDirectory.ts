/**
 * Opening a store directory: create it with mode 0700 (or tighten an existing one that is
 * wider, with a warning: the directory guards file names and the lock protocol, and a
 * group-writable directory would let others replace token files), tighten token files wider
 * than 0600, and remove the temp files a crashed writer left behind — they hold full token
 * copies.
 *
 * A temp file is an orphan when the pid in its name is gone, when its name carries no pid, or
 * when it is older than {@link ORPHAN_AGE_MS} (a reused pid). Temp files of live writers in
 * other processes are left alone: they are about to be renamed.
 *
 * @since 0.1.0
 */
import { join } from "node:path";
import type { StoreError } from "@miro-token/core";
import { Effect, Option } from "effect";
import { FILE_MODE, syncDirectory } from "./AtomicFile.ts";
import { isProcessAlive } from "./ProcessLiveness.ts";
import { fsCall, fsCallTolerating, type StoreFs } from "./StoreFs.ts";
import { idOfTokenFileName, writerOfTempFileName } from "./StoreLayout.ts";

/**
 * The mode of the store directory.
 *
 * @category constants
 * @since 0.1.0
 */
export const DIRECTORY_MODE = 0o700;

/**
 * A temp file older than this is an orphan even if a process with its writer's pid exists: no
 * write takes that long, so the pid was reused.
 *
 * @category constants
 * @since 0.1.0
 */
export const ORPHAN_AGE_MS = 10 * 60 * 1000;

const isWider = (mode: number, allowed: number): boolean => (mode & 0o777 & ~allowed) !== 0;

/**
 * Remove orphaned temp files among the entries `select` picks; returns how many were removed.
 *
 * @category sweeping
 * @since 0.1.0
 */
export const sweepOrphanTemps = (
  fs: StoreFs,
  directory: string,
  select: (name: string) => boolean = () => true,
): Effect.Effect<number, StoreError> =>
  Effect.gen(function* () {
    const names = yield* fsCall("open", "readdir", () => fs.readdir(directory));
    // File ages compare with file-system time, which is wall-clock time, not Effect's Clock.
    const now = Date.now();
    let removed = 0;
    for (const name of names) {
      const writer = writerOfTempFileName(name);
      if (Option.isNone(writer) || !select(name)) continue;
      const path = join(directory, name);
      const stats = yield* fsCallTolerating("open", "lstat temp file", ["ENOENT"], () =>
        fs.lstat(path),
      );
      if (stats === undefined) continue;
      const pid = writer.value;
      const orphaned =
        pid === undefined || !isProcessAlive(pid) || Math.abs(now - stats.mtimeMs) > ORPHAN_AGE_MS;
      if (!orphaned) continue;
      yield* fsCallTolerating("open", "remove orphaned temp file", ["ENOENT"], () =>
        fs.unlink(path),
      );
      removed++;
    }
    if (removed > 0) yield* syncDirectory(fs, directory, "open");
    return removed;
  });

const tightenTokenFiles = (fs: StoreFs, directory: string): Effect.Effect<void, StoreError> =>
  Effect.gen(function* () {
    const names = yield* fsCall("open", "readdir", () => fs.readdir(directory));
    for (const name of names) {
      if (Option.isNone(idOfTokenFileName(name))) continue;
      const path = join(directory, name);
      const stats = yield* fsCallTolerating("open", "lstat token file", ["ENOENT"], () =>
        fs.lstat(path),
      );
      if (stats === undefined || !stats.isFile() || !isWider(stats.mode, FILE_MODE)) continue;
      yield* Effect.logWarning(
        `store-file: ${name} had mode ${(stats.mode & 0o777).toString(8)}; set to 600`,
      );
      yield* fsCall("open", "chmod token file", () => fs.chmod(path, FILE_MODE));
    }
  });

/**
 * Create or check the store directory, then tighten and sweep it.
 *
 * @category opening
 * @since 0.1.0
 */
export const openDirectory = (fs: StoreFs, directory: string): Effect.Effect<void, StoreError> =>
  Effect.gen(function* () {
    yield* fsCall("open", "mkdir", () =>
      fs.mkdir(directory, { recursive: true, mode: DIRECTORY_MODE }),
    );
    const stats = yield* fsCall("open", "stat directory", () => fs.stat(directory));
    if (isWider(stats.mode, DIRECTORY_MODE)) {
      yield* Effect.logWarning(
        `store-file: store directory had mode ${(stats.mode & 0o777).toString(8)}; set to 700`,
      );
    }
    // Always chmod: mkdir's mode is filtered by the umask, and a narrower mode would lock the
    // owner out of their own store.
    yield* fsCall("open", "chmod directory", () => fs.chmod(directory, DIRECTORY_MODE));
    yield* tightenTokenFiles(fs, directory);
    yield* sweepOrphanTemps(fs, directory);
  });

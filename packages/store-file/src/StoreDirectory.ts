/**
 * Opening a store directory: create it with mode 0700, refuse it (or a token file in it) when
 * another user owns it or others can write it (`StorePermissions.ts`), tighten an existing
 * directory or token file that others can only read to 0700/0600 (warning once the chmod
 * worked), and remove the temp files a crashed writer left behind — they hold full token
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
import { checkOwnership } from "./StorePermissions.ts";

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

const checkTokenFiles = (
  fs: StoreFs,
  directory: string,
  insecure: boolean,
): Effect.Effect<void, StoreError> =>
  Effect.gen(function* () {
    const names = yield* fsCall("open", "readdir", () => fs.readdir(directory));
    for (const name of names) {
      if (Option.isNone(idOfTokenFileName(name))) continue;
      const path = join(directory, name);
      const stats = yield* fsCallTolerating("open", "lstat token file", ["ENOENT"], () =>
        fs.lstat(path),
      );
      // A symbolic link or a directory is left for reads to refuse (and scans to quarantine).
      if (stats === undefined || !stats.isFile()) continue;
      if (yield* checkOwnership("token file", path, stats, FILE_MODE, insecure)) continue;
      if (!isWider(stats.mode, FILE_MODE)) continue;
      yield* fsCall("open", "chmod token file", () => fs.chmod(path, FILE_MODE));
      yield* Effect.logWarning(
        `store-file: ${name} had mode ${(stats.mode & 0o777).toString(8)}; set to 600`,
      );
    }
  });

/**
 * Create or check the store directory, then check, tighten and sweep it. `insecure` accepts a
 * directory or token file that another user owns or others can write (with a warning, left
 * as it is) instead of refusing the store.
 *
 * @category opening
 * @since 0.1.0
 */
export const openDirectory = (
  fs: StoreFs,
  directory: string,
  insecure = false,
): Effect.Effect<void, StoreError> =>
  Effect.gen(function* () {
    yield* fsCall("open", "mkdir", () =>
      fs.mkdir(directory, { recursive: true, mode: DIRECTORY_MODE }),
    );
    const stats = yield* fsCall("open", "stat directory", () => fs.stat(directory));
    const accepted = yield* checkOwnership(
      "store directory",
      directory,
      stats,
      DIRECTORY_MODE,
      insecure,
    );
    // mkdir's mode is filtered by the umask; a narrower mode would lock the owner out of their
    // own store, a wider one (readable by others) shows them the file names.
    if (!accepted && (stats.mode & 0o777) !== DIRECTORY_MODE) {
      yield* fsCall("open", "chmod directory", () => fs.chmod(directory, DIRECTORY_MODE));
      if (isWider(stats.mode, DIRECTORY_MODE)) {
        yield* Effect.logWarning(
          `store-file: store directory had mode ${(stats.mode & 0o777).toString(8)}; set to 700`,
        );
      }
    }
    yield* checkTokenFiles(fs, directory, insecure);
    yield* sweepOrphanTemps(fs, directory);
  });

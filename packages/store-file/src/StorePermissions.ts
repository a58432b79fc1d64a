/**
 * Who may change the store, checked as OpenSSH's `StrictModes` checks `~/.ssh`: the store
 * directory and every token file must belong to the user running the store and must not be
 * writable by its group or by others. Anyone who can write the directory can replace a token
 * file (and so choose which refresh token we send, or take one we write) or break the lock
 * protocol; a token file someone else owns was put there by someone else.
 *
 * Such a store is refused with `StoreError{operation: "permissions"}` and a message that says
 * what is wrong and how to fix it — never mended silently: a chmod cannot give back ownership,
 * and a directory that was world-writable may already have been tampered with. The operator can
 * accept it explicitly (`insecurePermissions`, the apps' `--insecure-store-permissions`), which
 * logs a warning and changes nothing on disk.
 *
 * Modes that only let others _read_ (a 0755 directory, a 0644 file) are still tightened to
 * 0700/0600, and the warning is logged only after the chmod succeeded.
 *
 * @since 0.1.0
 */
import type { StoreError } from "@miro-token/core";
import { Effect } from "effect";
import { storeError } from "./StoreFs.ts";

/**
 * The `operation` of the `StoreError` that refuses a store for its ownership or modes.
 *
 * @category constants
 * @since 0.1.0
 */
export const PERMISSIONS_OPERATION = "permissions";

/**
 * The fields of a `stat` result the check reads.
 *
 * @category models
 * @since 0.1.0
 */
export interface OwnedStats {
  readonly mode: number;
  readonly uid: number;
}

const GROUP_OR_WORLD_WRITABLE = 0o022;

/** The uid the store runs as; `undefined` where there are none (Windows): nothing to check. */
const currentUid = (): number | undefined => process.getuid?.();

/**
 * What is insecure about `stats`, with the command that fixes it (`undefined` when nothing is).
 *
 * @category checking
 * @since 0.1.0
 */
export const insecurityOf = (
  path: string,
  stats: OwnedStats,
  wantedMode: number,
): { readonly problem: string; readonly fix: string } | undefined => {
  const uid = currentUid();
  if (uid === undefined) return undefined;
  if (stats.uid !== uid) {
    return {
      problem: `is owned by uid ${stats.uid}, not by this user (uid ${uid})`,
      fix: `chown ${uid} ${path}`,
    };
  }
  if ((stats.mode & GROUP_OR_WORLD_WRITABLE) !== 0) {
    return {
      problem: `has mode ${(stats.mode & 0o777).toString(8)}: writable by its group or by others`,
      fix: `chmod ${wantedMode.toString(8)} ${path}`,
    };
  }
  return undefined;
};

/**
 * Refuse `what` (`store directory`, `token file`) at `path` when its `stats` are insecure,
 * unless `insecure` accepts it (then warn). Succeeds with whether it was accepted insecure
 * (then leave it as it is).
 *
 * @category checking
 * @since 0.1.0
 */
export const checkOwnership = (
  what: string,
  path: string,
  stats: OwnedStats,
  wantedMode: number,
  insecure: boolean,
): Effect.Effect<boolean, StoreError> => {
  const found = insecurityOf(path, stats, wantedMode);
  if (found === undefined) return Effect.succeed(false);
  if (insecure) {
    return Effect.as(
      Effect.logWarning(
        `store-file: ${what} ${path} ${found.problem}; accepted (insecure store permissions allowed)`,
      ),
      true,
    );
  }
  return Effect.fail(
    storeError(
      PERMISSIONS_OPERATION,
      `${what} ${path} ${found.problem}; refused, as anyone who can write it can replace ` +
        `tokens. Fix it (${found.fix}) or accept it with --insecure-store-permissions`,
    ),
  );
};

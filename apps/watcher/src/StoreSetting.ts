/**
 * Which token store the watcher's configuration names, by core's one selection rule
 * (`selectStore`, shared with the `miro-token` CLI): `--store <path|file:|postgres://…>`, else
 * the URL in the file named by `--store-url-file` (read by the bounded reader, like a secret),
 * else `MIRO_TOKEN_STORE_URL`, else `MIRO_TOKEN_STORE` (the watcher's directory variable, which
 * may hold a URL too). `PGPASSWORD` supplies the password of a URL without one. A URL with a
 * password on argv never reaches this module: `WatcherCommand.ts` refuses it first.
 *
 * A file store's directory is made absolute and checked here (a path that exists must be a
 * readable directory); a PostgreSQL store is only reached when the watcher starts.
 *
 * @since 0.3.0
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { settingConfig } from "@miro-token/core";
import {
  PGPASSWORD_ENV,
  STORE_URL_ENV,
  type StoreSelection,
  selectStore,
} from "@miro-token/core/internal";
import { errnoCode } from "@miro-token/store-file/files";
import { Effect, Option, Result } from "effect";
import { configProblem, readNamedFile, type SettingReaders, shown } from "./SettingReaders.ts";

/** The watcher's own variable for `--store` (a directory, or any store text). */
const STORE_ENV = "MIRO_TOKEN_STORE";

/**
 * The store variables read through the current `ConfigProvider` (core's `settingConfig`: empty
 * is unset, at most 64 KiB): each its value, or the problem naming it.
 *
 * @category models
 * @since 0.3.0
 */
export interface StoreEnv {
  readonly url: Result.Result<string | undefined, string>;
  readonly pgPassword: Result.Result<string | undefined, string>;
}

const readVariable = (name: string): Effect.Effect<Result.Result<string | undefined, string>> =>
  settingConfig(name).pipe(
    Effect.map((value) => Result.succeed(Option.getOrUndefined(value))),
    Effect.catch((error) => Effect.succeed(Result.fail(configProblem(error, name)))),
  );

/**
 * Read `MIRO_TOKEN_STORE_URL` and `PGPASSWORD`. Never fails.
 *
 * @category reading
 * @since 0.3.0
 */
export const readStoreEnv: Effect.Effect<StoreEnv> = Effect.all({
  url: readVariable(STORE_URL_ENV),
  pgPassword: readVariable(PGPASSWORD_ENV),
});

/** The store directory: absolute; a path that exists must be a readable directory. */
const checkDirectory = (directory: string, from: string, problems: Array<string>): string => {
  const absolute = resolve(directory);
  try {
    if (!statSync(absolute).isDirectory())
      problems.push(`${from}: ${shown(absolute)} is not a directory`);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== "ENOENT")
      problems.push(`${from}: cannot read ${shown(absolute)} (${code ?? "error"})`);
  }
  return absolute;
};

/**
 * The store the settings select, or `undefined` with the problems pushed (each naming the flag
 * or variable, never a password).
 *
 * @category parsing
 * @since 0.3.0
 */
export const resolveStore = async (
  readers: Pick<SettingReaders, "setting">,
  env: StoreEnv,
  problems: Array<string>,
  warnings: Array<string>,
): Promise<StoreSelection | undefined> => {
  const store = readers.setting("store");
  const urlFile = readers.setting("store-url-file");
  for (const read of [env.url, env.pgPassword]) {
    if (Result.isFailure(read)) problems.push(read.failure);
  }
  const fromFlag = store !== undefined && store.from === "--store";
  let urlFileText: string | undefined;
  if (urlFile !== undefined) {
    urlFileText = await readNamedFile(urlFile.from, urlFile.text, problems, warnings);
    if (urlFileText === undefined) return undefined;
  }
  const envUrl = Result.getOrUndefined(env.url);
  // MIRO_TOKEN_STORE stands in for MIRO_TOKEN_STORE_URL (an environment value, like it).
  const fromStoreEnv = !fromFlag && store !== undefined && envUrl === undefined;
  const selected = selectStore({
    flag: fromFlag ? store.text : undefined,
    urlFileText,
    envUrl: fromStoreEnv ? store.text : envUrl,
    pgPassword: Result.getOrUndefined(env.pgPassword),
  });
  if (Result.isFailure(selected)) {
    const problem = selected.failure;
    problems.push(
      fromStoreEnv && problem.startsWith(STORE_URL_ENV)
        ? `${STORE_ENV}${problem.slice(STORE_URL_ENV.length)}`
        : problem,
    );
    return undefined;
  }
  const selection = selected.success;
  if (selection === undefined) {
    problems.push(
      `--store <dir|postgres://…> is required (or --store-url-file, ${STORE_URL_ENV}, ${STORE_ENV}): the token store`,
    );
    return undefined;
  }
  if (selection._tag === "Postgres") return selection;
  const from =
    fromFlag || fromStoreEnv ? store.from : urlFile !== undefined ? urlFile.from : STORE_URL_ENV;
  return { _tag: "File", directory: checkDirectory(selection.directory, from, problems) };
};

/**
 * How the watcher reads one setting into a value, by the toolkit's shared rules: whole numbers
 * in a range, core's duration grammar (`parseDurationMillis`), switches (`1`, `true`, `yes`),
 * and files through the bounded reader of `@miro-token/store-file/files` (a regular file, at
 * most 64 KiB + 1 byte: `/dev/zero`, a FIFO or a directory is refused at once), secrets by
 * core's `secretFromText`. A reader never throws: it pushes a problem (naming the flag or
 * variable, never quoting what could be a secret) and returns the fallback.
 *
 * @since 0.1.0
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { parseDurationMillis, secretFromText } from "@miro-token/core";
import { readFileInput } from "@miro-token/store-file/files";
import { ConfigProvider, Effect, Option, Result } from "effect";
import type { Setting, WatcherInput } from "./WatcherFlags.ts";

/**
 * A value as an error message may quote it: not when it could be a secret pasted into the
 * wrong flag (a long unbroken run of token characters, or Miro's `eyJ` prefix).
 *
 * @category formatting
 * @since 0.1.0
 */
export const shown = (value: string): string =>
  /eyJ|[A-Za-z0-9_-]{20,}/.test(value) || value.length > 60
    ? `a value of ${value.length} characters (not shown: it could be a secret)`
    : `"${value}"`;

/**
 * A `ConfigError`'s message as core's settings word it (`NAME is empty`), never the value.
 *
 * @category formatting
 * @since 0.1.0
 */
export const configProblem = (error: { readonly cause?: unknown }, name: string): string =>
  error.cause instanceof ConfigProvider.SourceError ? error.cause.message : `cannot read ${name}`;

/**
 * A file named by a setting, read by the shared bounded reader: its text, or the problem (an
 * errno code, `not a regular file`, `larger than 65536 bytes`).
 *
 * @category reading
 * @since 0.1.0
 */
export const readSettingFile = (path: string): Promise<Result.Result<string, string>> =>
  Effect.runPromise(
    readFileInput(path).pipe(
      Effect.map((text) => Result.succeed(text)),
      Effect.catch((error) => Effect.succeed(Result.fail(error.reason))),
    ),
  );

/**
 * A warning when a file holding a secret is readable by group or others, else `undefined`.
 *
 * @category reading
 * @since 0.1.0
 */
export const looseModeWarning = (path: string, what: string): string | undefined => {
  const mode = statSync(path, { throwIfNoEntry: false })?.mode;
  return mode !== undefined && (mode & 0o077) !== 0
    ? `${what} is readable by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`
    : undefined;
};

/**
 * The raw text of a file holding a secret, named by setting `from`, by the bounded reader:
 * `undefined` with the problem pushed when it cannot be read, a warning pushed when its mode is
 * loose. The text is not quoted anywhere.
 *
 * @category reading
 * @since 0.3.0
 */
export const readNamedFile = async (
  from: string,
  text: string,
  problems: Array<string>,
  warnings: Array<string>,
): Promise<string | undefined> => {
  const path = resolve(text);
  const read = await readSettingFile(path);
  if (Result.isFailure(read)) {
    problems.push(`${from}: cannot read ${shown(path)} (${read.failure})`);
    return undefined;
  }
  const loose = looseModeWarning(path, path);
  if (loose !== undefined) warnings.push(loose);
  return read.success;
};

/**
 * The readers over one parsed command line, pushing into `problems` and `warnings`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeReaders = (
  input: WatcherInput,
  problems: Array<string>,
  warnings: Array<string>,
) => {
  const setting = (flag: string): Setting | undefined =>
    Option.getOrUndefined(input[flag] ?? Option.none());
  const integer = (flag: string, fallback: number, min: number, max: number): number => {
    const s = setting(flag);
    if (s === undefined) return fallback;
    const n = Number(s.text);
    if (!/^\d+$/.test(s.text.trim()) || n < min || n > max) {
      problems.push(`${s.from} must be a whole number from ${min} to ${max}, got ${shown(s.text)}`);
      return fallback;
    }
    return n;
  };
  const duration = (flag: string, fallback: number, min: number): number => {
    const s = setting(flag);
    if (s === undefined) return fallback;
    const millis = parseDurationMillis(s.text);
    if (millis === undefined || millis < min) {
      problems.push(
        `${s.from} must be a duration of at least ${min}ms such as 500ms, 60s or 1m30s, got ${shown(s.text)}`,
      );
      return fallback;
    }
    return millis;
  };
  const enabled = (flag: string): boolean => /^(1|true|yes)$/i.test(setting(flag)?.text ?? "");
  /** A secret file's text by the shared rules (problems and warnings pushed); never quoted. */
  const readSecretFile = async (
    from: string,
    text: string,
    what: string,
  ): Promise<string | undefined> => {
    const read = await readNamedFile(from, text, problems, warnings);
    if (read === undefined) return undefined;
    const path = resolve(text);
    const secret = secretFromText(read);
    if (Result.isFailure(secret)) {
      problems.push(`${from}: ${what} in ${shown(path)} ${secret.failure}`);
      return undefined;
    }
    return secret.success;
  };
  return { setting, integer, duration, enabled, readSecretFile };
};

/**
 * The readers {@link makeReaders} returns.
 *
 * @category models
 * @since 0.1.0
 */
export type SettingReaders = ReturnType<typeof makeReaders>;

/**
 * Where the access token comes from: `--token-file <path>`, `--token-file -` (stdin), or the
 * `MIRO_ACCESS_TOKEN` environment variable, in that order. Never argv (see `ArgvGuard.ts`).
 *
 * Every secret is cleaned and checked by core's one rule (`secretFromText`: at most 64 KiB,
 * one trailing `\n` or `\r\n` stripped, sendable in a header), whatever its source; a refusal is
 * core's `MalformedTokenError`, which never holds the value. Files are read by the shared
 * bounded reader (`@miro-token/store-file/files`: a regular file by `fstat`, at most cap + 1
 * bytes), so `/dev/zero`, a FIFO or a directory is a usage error at once; stdin is capped too.
 */
import { MAX_SECRET_INPUT_BYTES, MalformedTokenError, secretFromText } from "@miro-token/core";
import { type FileInputOptions, readFileInputStamped } from "@miro-token/store-file/files";
import { Console, Effect, Option, Redacted, Result, Stdio, Stream } from "effect";
import { TOKEN_INPUT_HINT } from "./ArgvGuard.ts";
import { ENV, envVar } from "./Env.ts";
import { UsageError } from "./Failure.ts";

/** Read all of stdin as UTF-8, refusing more than `maxBytes`. */
export const readStdin = (maxBytes: number = MAX_SECRET_INPUT_BYTES) =>
  Effect.gen(function* () {
    const stdio = yield* Stdio.Stdio;
    if (yield* stdio.stdinIsTerminal) {
      yield* Console.error("miro-token: reading stdin (end with Ctrl+D)");
    }
    const chunks: Array<Uint8Array> = [];
    let total = 0;
    yield* stdio.stdin.pipe(
      Stream.runForEachWhile((chunk) =>
        Effect.sync(() => {
          total += chunk.byteLength;
          if (total <= maxBytes) chunks.push(chunk);
          return total <= maxBytes;
        }),
      ),
      Effect.mapError(() => new UsageError({ reason: "cannot read stdin" })),
    );
    if (total > maxBytes) {
      return yield* new UsageError({ reason: `stdin is larger than ${maxBytes} bytes` });
    }
    return Buffer.concat(chunks).toString("utf8");
  });

/**
 * A file named by an option, read by the shared bounded reader, with its modification time.
 * The error names the option and the reason (an errno code, `not a regular file`, `larger than
 * 65536 bytes`), not the path (a path is not a secret, but a mistyped one may be a pasted
 * token).
 */
export const readInputFileStamped = (path: string, option: string, options?: FileInputOptions) =>
  readFileInputStamped(path, options).pipe(
    Effect.mapError(
      (error) =>
        new UsageError({
          reason:
            error.reason === "ELOOP"
              ? `the file given to ${option} is a symbolic link; refused (give the path of its target)`
              : `cannot read the file given to ${option} (${error.reason})`,
        }),
    ),
  );

/** A small secret file as UTF-8, read by the shared bounded reader. */
export const readSecretFile = (path: string, option: string) =>
  Effect.map(readInputFileStamped(path, option), (read) => read.text);

/** The text of `--token-file`: a path, or `-` for stdin. */
export const readTokenSource = (source: string, option = "--token-file") =>
  source === "-" ? readStdin() : readSecretFile(source, option);

/** Clean and check a secret's text by core's one rule; the error never contains it. */
export const checkSecretText = (
  subject: string,
  text: string,
): Effect.Effect<Redacted.Redacted<string>, MalformedTokenError> => {
  const secret = secretFromText(text);
  return Result.isSuccess(secret)
    ? Effect.succeed(Redacted.make(secret.success))
    : Effect.fail(new MalformedTokenError({ attempts: 0, subject, reason: secret.failure }));
};

/**
 * The access token for a command: `--token-file` (path or `-`), else `MIRO_ACCESS_TOKEN`.
 */
export const resolveAccessToken = (
  tokenFile: string | undefined,
): Effect.Effect<Redacted.Redacted<string>, UsageError | MalformedTokenError, Stdio.Stdio> =>
  Effect.gen(function* () {
    if (tokenFile !== undefined) {
      return yield* checkSecretText("access token", yield* readTokenSource(tokenFile));
    }
    const fromEnv = yield* envVar(ENV.accessToken);
    if (fromEnv !== undefined) return yield* checkSecretText("access token", fromEnv);
    return yield* new UsageError({ reason: "no access token given", hint: TOKEN_INPUT_HINT });
  });

/** The token arguments of `info`, `revoke` and `watch`: `--token-file` and a lone `-`. */
export interface TokenArguments {
  readonly tokenFile: Option.Option<string>;
  /** The optional positional argument; only `-` is accepted. */
  readonly stdin: Option.Option<string>;
}

/** The access token of a command: a lone `-`, `--token-file`, else the environment. */
export const resolveTokenArguments = (
  input: TokenArguments,
): Effect.Effect<Redacted.Redacted<string>, UsageError | MalformedTokenError, Stdio.Stdio> =>
  Effect.gen(function* () {
    if (Option.isNone(input.stdin)) {
      return yield* resolveAccessToken(Option.getOrUndefined(input.tokenFile));
    }
    if (input.stdin.value !== "-") {
      return yield* new UsageError({
        reason: "unexpected argument (only a lone - is accepted, to read the token from stdin)",
        hint: "tokens are never accepted on the command line; use MIRO_ACCESS_TOKEN or --token-file",
      });
    }
    if (Option.isSome(input.tokenFile)) {
      return yield* new UsageError({ reason: "give either - or --token-file, not both" });
    }
    return yield* resolveAccessToken("-");
  });

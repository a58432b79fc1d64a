/**
 * Where the access token comes from: `--token-file <path>`, `--token-file -` (stdin), or the
 * `MIRO_ACCESS_TOKEN` environment variable, in that order. Never argv (see `ArgvGuard.ts`).
 *
 * The text is cleaned exactly once: one trailing `\n` or `\r\n` (what `echo` and editors add)
 * is stripped; anything else that cannot be sent in a header (inner whitespace, control or
 * non-ASCII characters) is refused with core's `MalformedTokenError`, which never holds the
 * value. Secret files and stdin are read through the `Stdio` service and `node:fs`, and
 * capped, so a wrong path (a log file, /dev/zero) cannot exhaust memory.
 */
import { readFile } from "node:fs";
import { MalformedTokenError, type TokenSubject, tokenProblem } from "@miro-token/core";
import { Console, Effect, Option, Redacted, Stdio, Stream } from "effect";
import { TOKEN_INPUT_HINT } from "./ArgvGuard.ts";
import { ENV, envVar } from "./Env.ts";
import { UsageError } from "./Failure.ts";

/** Largest token file or stdin we read. Miro tokens are ~60 bytes; token sets under 4 KiB. */
export const MAX_SECRET_INPUT_BYTES = 64 * 1024;

/** Strip exactly one trailing line break (`\n` or `\r\n`), nothing else. */
export const stripOneNewline = (text: string): string =>
  text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;

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

const errnoOf = (error: unknown): string => {
  const code = (error as { readonly code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]+$/.test(code) ? code : "read failed";
};

/**
 * Read a small secret file as UTF-8. The error names the option, not the path (a path is not a
 * secret, but a mistyped one may be a pasted token).
 */
export const readSecretFile = (path: string, option: string) =>
  Effect.tryPromise({
    // node:fs rather than node:fs/promises: the latter loads readline and more at start-up.
    try: () =>
      new Promise<string>((resolve, reject) =>
        readFile(path, (error, bytes) => {
          if (error !== null) return reject(error);
          if (bytes.byteLength > MAX_SECRET_INPUT_BYTES) {
            return reject(Object.assign(new Error(), { code: "EFBIG" }));
          }
          resolve(bytes.toString("utf8"));
        }),
      ),
    catch: (error) =>
      new UsageError({ reason: `cannot read the file given to ${option} (${errnoOf(error)})` }),
  });

/** The text of `--token-file`: a path, or `-` for stdin. */
export const readTokenSource = (source: string, option = "--token-file") =>
  source === "-" ? readStdin() : readSecretFile(source, option);

/** Clean and check a secret's text; the error never contains it. */
export const checkSecretText = (
  subject: TokenSubject,
  text: string,
): Effect.Effect<Redacted.Redacted<string>, MalformedTokenError> => {
  const value = stripOneNewline(text);
  const problem = tokenProblem(value);
  return problem === undefined
    ? Effect.succeed(Redacted.make(value))
    : Effect.fail(new MalformedTokenError({ attempts: 0, subject, reason: problem }));
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

/**
 * How every run ends, in one place for the whole program (`Main.ts`) and `info`'s fast path
 * (`commands/InfoFast.ts`): secrets on argv refused before anything parses it, then the
 * command, every outcome turned into an exit code and at most one JSON document. Typed failures
 * keep their exit code (core's table, see `Failure.ts`); anything else is unexpected (1) and
 * shows a stack trace only with `--debug`. An interrupted run (SIGINT, SIGTERM: exit 130) still
 * prints one document, `interrupted`, with what was saved (`RunJournal.ts`). Effect's logs (a
 * store's warnings) go to stderr: stdout holds results only.
 */
import { ExitCode } from "@miro-token/core";
import { Cause, Console, Effect, Logger } from "effect";
import { debugRequested, jsonRequested, refuseSecretsOnArgv } from "./ArgvGuard.ts";
import {
  type CliFailure,
  exitCodeOfFailure,
  failureDocument,
  isCliFailure,
  summarize,
} from "./Failure.ts";
import { CurrentRunJournal, makeRunJournal, type RunJournal } from "./RunJournal.ts";

/** Print a typed failure (a line on stderr, or the `--json` document) and give its exit code. */
export const report = (failure: CliFailure, json: boolean): Effect.Effect<number> => {
  const exitCode = exitCodeOfFailure(failure);
  const summary = summarize(failure);
  if (json)
    return Effect.as(Console.log(JSON.stringify(failureDocument(summary, exitCode))), exitCode);
  const hint = summary.hint === undefined ? "" : `\nhint: ${summary.hint}`;
  return Effect.as(Console.error(`miro-token: ${summary.message}${hint}`), exitCode);
};

/** Report an unexpected failure (its stack trace only with `--debug`): exit 1. */
export const reportUnexpected = (cause: Cause.Cause<unknown>, json: boolean, debug: boolean) =>
  Effect.gen(function* () {
    const message = "unexpected failure (run with --debug for details)";
    if (debug) yield* Console.error(Cause.pretty(cause));
    if (json) {
      yield* Console.log(
        JSON.stringify(failureDocument({ tag: "UnexpectedError", message }, ExitCode.Unexpected)),
      );
    } else {
      yield* Console.error(`miro-token: ${message}`);
    }
    return ExitCode.Unexpected;
  });

/** The document (or line) of an interrupted run: what it saved before it stopped. */
const reportInterrupted = (journal: RunJournal, json: boolean): Effect.Effect<void> => {
  const message = "interrupted (SIGINT or SIGTERM)";
  if (json) {
    // One document per run: a command that already printed its own keeps it; NDJSON gets a line.
    if (journal.documents > 0 && !journal.streaming) return Effect.void;
    return Console.log(
      JSON.stringify({
        ...failureDocument({ tag: "Interrupted", message }, ExitCode.Interrupted),
        interrupted: true,
        saved: journal.saved,
      }),
    );
  }
  const saved = journal.saved.map(
    (write) =>
      `${write.what}${write.id === null ? "" : ` ${JSON.stringify(write.id)}`}${write.generation === null ? "" : ` (generation ${write.generation})`}`,
  );
  return Console.error(
    `miro-token: ${message}; ${saved.length === 0 ? "nothing was saved" : `saved: ${saved.join(", ")}`}`,
  );
};

/** What a run asked for on argv, read before parsing so that usage errors honour it. */
export interface RunFlags {
  readonly json: boolean;
  readonly debug: boolean;
}

/**
 * Run `program` for `argv` and return its exit code: argv's secrets refused first, then every
 * failure reported. `recover` handles the failures only its caller knows (the command line's
 * usage errors); it returns `undefined` for the rest. Never fails; interruption propagates.
 */
export const runGuarded = <R>(
  argv: ReadonlyArray<string>,
  program: (flags: RunFlags) => Effect.Effect<unknown, unknown, R>,
  recover: (error: unknown, flags: RunFlags) => Effect.Effect<number> | undefined = () => undefined,
): Effect.Effect<number, never, R> =>
  Effect.suspend((): Effect.Effect<number, never, R> => {
    const flags: RunFlags = { json: jsonRequested(argv), debug: debugRequested(argv) };
    const refusal = refuseSecretsOnArgv(argv);
    if (refusal !== undefined) return report(refusal, flags.json);
    const journal = makeRunJournal();
    return program(flags).pipe(
      Effect.as(ExitCode.Ok as number),
      Effect.catch(
        (error: unknown) =>
          recover(error, flags) ??
          (isCliFailure(error)
            ? report(error, flags.json)
            : reportUnexpected(Cause.fail(error), flags.json, flags.debug)),
      ),
      Effect.catchDefect((defect) => reportUnexpected(Cause.die(defect), flags.json, flags.debug)),
      Effect.onInterrupt(() => reportInterrupted(journal, flags.json)),
      Effect.provideService(CurrentRunJournal, journal),
      Effect.provideService(Logger.LogToStderr, true),
    );
  });

/**
 * The one top-level handler: refuses secrets on argv, runs the command tree, and turns every
 * outcome into an exit code and at most one JSON document. Typed failures keep their exit code
 * (core's table, see `Failure.ts`); parse errors are usage errors (2); anything else is
 * unexpected (1) and shows a stack trace only with `--debug`. An interrupted run (SIGINT,
 * SIGTERM: exit 130) still prints one document, `interrupted`, with what was saved
 * (`RunJournal.ts`). Effect's logs (a store's warnings) go to stderr: stdout holds results only. No message printed here ever
 * contains a user-supplied value: parse errors are rendered from option names alone.
 */
import { ExitCode } from "@miro-token/core";
import { describeParseError } from "@miro-token/core/internal";
import { Cause, Console, Effect, Logger, Stdio } from "effect";
import { CliConfig, CliError, CliOutput, Command, GlobalFlag } from "effect/cli";
import type { HelpDoc } from "effect/cli/HelpDoc";
import { debugRequested, jsonRequested, refuseSecretsOnArgv } from "./ArgvGuard.ts";
import { app, CLI_VERSION } from "./Commands.ts";
import { ENV, envFlag } from "./Env.ts";
import {
  type CliFailure,
  exitCodeOfFailure,
  failureDocument,
  isCliFailure,
  summarize,
  UsageError,
} from "./Failure.ts";
import { CurrentRunJournal, makeRunJournal, type RunJournal } from "./RunJournal.ts";

/** Built-in flags we keep: `--help`/`-h` and `--version`/`-v` (no wizard, no completions). */
const BUILT_INS = [GlobalFlag.Help, GlobalFlag.Version] as const;

const usageFromShowHelp = (error: CliError.ShowHelp): UsageError => {
  const command = error.commandPath.join(" ");
  const reasons = error.errors.map(describeParseError);
  return new UsageError({
    reason: reasons.length === 0 ? `${command}: a command is required` : reasons.join("; "),
    hint: `run ${command} --help`,
  });
};

const report = (failure: CliFailure, json: boolean): Effect.Effect<number> => {
  const exitCode = exitCodeOfFailure(failure);
  const summary = summarize(failure);
  if (json)
    return Effect.as(Console.log(JSON.stringify(failureDocument(summary, exitCode))), exitCode);
  const hint = summary.hint === undefined ? "" : `\nhint: ${summary.hint}`;
  return Effect.as(Console.error(`miro-token: ${summary.message}${hint}`), exitCode);
};

const reportUnexpected = (cause: Cause.Cause<unknown>, json: boolean, debug: boolean) =>
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

/** Whether help and errors may use colour. */
const helpColors = Effect.gen(function* () {
  const stdio = yield* Stdio.Stdio;
  return (yield* stdio.stdoutIsTerminal) && !(yield* envFlag(ENV.noColor));
});

/**
 * Run `miro-token` with `argv` (without `node` and the script) and return its exit code. Never
 * fails: every failure is reported and becomes a code. Interruption propagates (exit 130).
 */
export const runCli = (
  argv: ReadonlyArray<string>,
): Effect.Effect<number, never, Command.Environment> =>
  runCliWith(argv).pipe(Effect.provideService(Logger.LogToStderr, true));

const runCliWith = (
  argv: ReadonlyArray<string>,
): Effect.Effect<number, never, Command.Environment> =>
  Effect.gen(function* () {
    const json = jsonRequested(argv);
    const debug = debugRequested(argv);
    const refusal = refuseSecretsOnArgv(argv);
    if (refusal !== undefined) return yield* report(refusal, json);

    const formatter = CliOutput.defaultFormatter({ colors: yield* helpColors });
    let implicitHelp: HelpDoc | undefined;
    const presenter: CliOutput.Presenter = {
      present: (event) => {
        switch (event._tag) {
          case "Help":
            if (event.reason === "Implicit") {
              implicitHelp = event.helpDoc;
              return Effect.void;
            }
            return Console.log(formatter.formatHelpDoc(event.helpDoc));
          case "Version":
            return Console.log(`${event.name} ${event.version}`);
          case "InvalidInvocation":
            implicitHelp = event.helpDoc;
            return Effect.void;
        }
      },
    };

    const journal = makeRunJournal();
    return yield* Command.runWith(app, { version: CLI_VERSION, renderErrors: false })(argv).pipe(
      Effect.as(ExitCode.Ok as number),
      Effect.catch((error: unknown) => {
        if (CliError.isCliError(error) && error._tag === "ShowHelp") {
          const usage = usageFromShowHelp(error);
          const helpText =
            error.errors.length === 0 && implicitHelp !== undefined && !json
              ? Console.error(formatter.formatHelpDoc(implicitHelp))
              : Effect.void;
          return Effect.andThen(helpText, report(usage, json));
        }
        if (isCliFailure(error)) return report(error, json);
        return reportUnexpected(Cause.fail(error), json, debug);
      }),
      Effect.catchDefect((defect) => reportUnexpected(Cause.die(defect), json, debug)),
      Effect.onInterrupt(() => reportInterrupted(journal, json)),
      Effect.provideService(CurrentRunJournal, journal),
      Effect.provideService(CliOutput.Presenter, presenter),
      Effect.provideService(CliConfig.CliConfig, CliConfig.make({ builtIns: BUILT_INS })),
    );
  });

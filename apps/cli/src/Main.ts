/**
 * The one top-level handler: runs the command tree under `RunOutcome.ts`'s guard (secrets on
 * argv refused first, every outcome one exit code and at most one JSON document); parse errors
 * are usage errors (2), rendered from option names alone, never a user-supplied value. An argv
 * that `info`'s fast reader takes (`FastArgv.ts`) runs `info` without the command tree, as the
 * binary's entry does (`launch.ts`), so both paths run the same code in tests.
 */
import { describeParseError } from "@miro-token/core/internal";
import { Console, Effect, Stdio } from "effect";
import { CliConfig, CliError, CliOutput, Command, GlobalFlag } from "effect/cli";
import type { HelpDoc } from "effect/cli/HelpDoc";
import { app, CLI_VERSION } from "./Commands.ts";
import { runInfoFast } from "./commands/InfoFast.ts";
import { ENV, envFlag } from "./Env.ts";
import { UsageError } from "./Failure.ts";
import { type FastArgvTable, parseFastArgv } from "./FastArgv.ts";
import { deriveFastArgvTable } from "./FastArgvTable.ts";
import { report, runGuarded } from "./RunOutcome.ts";

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

/** Whether help and errors may use colour. */
const helpColors = Effect.gen(function* () {
  const stdio = yield* Stdio.Stdio;
  return (yield* stdio.stdoutIsTerminal) && !(yield* envFlag(ENV.noColor));
});

/** `info`'s argv table, derived from the program's flags once, on first use. */
let fastArgvTable: FastArgvTable | undefined;

/**
 * Run `miro-token` with `argv` (without `node` and the script) and return its exit code. Never
 * fails: every failure is reported and becomes a code. Interruption propagates (exit 130).
 */
export const runCli = (
  argv: ReadonlyArray<string>,
): Effect.Effect<number, never, Command.Environment> => {
  fastArgvTable ??= deriveFastArgvTable();
  const fast = parseFastArgv(fastArgvTable, argv);
  if (fast !== undefined) return runInfoFast(argv, fastArgvTable, fast);
  let implicitHelp: HelpDoc | undefined;
  let formatter: CliOutput.Formatter = CliOutput.defaultFormatter({ colors: false });
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
  return runGuarded(
    argv,
    () =>
      Effect.gen(function* () {
        formatter = CliOutput.defaultFormatter({ colors: yield* helpColors });
        yield* Command.runWith(app, { version: CLI_VERSION, renderErrors: false })(argv);
      }).pipe(
        Effect.provideService(CliOutput.Presenter, presenter),
        Effect.provideService(CliConfig.CliConfig, CliConfig.make({ builtIns: BUILT_INS })),
      ),
    (error, { json }) => {
      if (!CliError.isCliError(error) || error._tag !== "ShowHelp") return undefined;
      const usage = usageFromShowHelp(error);
      const helpText =
        error.errors.length === 0 && implicitHelp !== undefined && !json
          ? Console.error(formatter.formatHelpDoc(implicitHelp))
          : Effect.void;
      return Effect.andThen(helpText, report(usage, json));
    },
  );
};

/**
 * The one rule for a process's exit code at the end of an Effect program run by
 * `NodeRuntime.runMain`, for both binaries: a program that returns its code exits with it, a
 * program interrupted by a signal exits with the code its caller gives (the CLI: 130; the
 * watcher: 0 after a clean shutdown, 1 when work was abandoned), and anything else is an
 * unexpected failure (1).
 *
 * @since 0.1.0
 */
import { Cause, Exit } from "effect";
import { ExitCode } from "../ExitCode.ts";

/**
 * The exit code of a finished main program.
 *
 * @category exit codes
 * @since 0.1.0
 */
export const processExitCode = (
  exit: Exit.Exit<unknown, unknown>,
  interrupted: () => number,
): number =>
  Exit.isSuccess(exit)
    ? Number(exit.value)
    : Cause.hasInterruptsOnly(exit.cause)
      ? interrupted()
      : ExitCode.Unexpected;

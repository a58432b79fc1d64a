/**
 * `miro-token info` without the command tree: the flags read by `FastArgv.ts` from the table
 * derived from the program's own flag declarations, turned into the same config records
 * `effect/cli` would hand the handler (absent optional flags `Option.none()`, absent flags with
 * a default the default), then the same run context, body (`InfoRun.ts`) and outcome handling
 * (`RunOutcome.ts`) as the whole program. Nothing here loads `effect/cli`: the binary's entry
 * (`launch.ts`, through `InfoFastBin.ts`) starts `info` about 20 ms of CPU sooner.
 */
import { Effect, Option, type Stdio } from "effect";
import type { FastArgv, FastArgvTable, FastFlag } from "../FastArgv.ts";
import type { GlobalOptions } from "../GlobalOptions.ts";
import { makeRunContext, runCommandBody } from "../RunContext.ts";
import { runGuarded } from "../RunOutcome.ts";
import type { InfoInput } from "./InfoCommand.ts";
import { runInfo } from "./InfoRun.ts";

/** The config record of one scope, as `effect/cli` builds it from the same flags. */
export const configOf = (
  table: FastArgvTable,
  scope: FastFlag["scope"],
  given: FastArgv["global"],
): Record<string, unknown> =>
  Object.fromEntries(
    Object.values(table.flags)
      .filter((flag) => flag.scope === scope)
      .map((flag) => {
        const value = Object.hasOwn(given, flag.key) ? given[flag.key] : undefined;
        if (flag.optional) return [flag.key, Option.fromUndefinedOr(value)];
        return [flag.key, value ?? flag.default];
      }),
  );

/** The shared options and `info`'s input of a fast-read argv. */
export const infoConfigOf = (
  table: FastArgvTable,
  parsed: FastArgv,
): { readonly global: GlobalOptions; readonly input: InfoInput } => ({
  global: configOf(table, "global", parsed.global) as unknown as GlobalOptions,
  input: {
    ...configOf(table, "command", parsed.command),
    [table.stdinKey]: parsed.stdin ? Option.some("-") : Option.none(),
  } as unknown as InfoInput,
});

/** Run `info` for `argv`, already read by `parseFastArgv`; gives the exit code. */
export const runInfoFast = (
  argv: ReadonlyArray<string>,
  table: FastArgvTable,
  parsed: FastArgv,
): Effect.Effect<number, never, Stdio.Stdio> =>
  runGuarded(argv, () =>
    Effect.gen(function* () {
      const { global, input } = infoConfigOf(table, parsed);
      const ctx = yield* makeRunContext(global);
      yield* runCommandBody(ctx, runInfo(ctx, input));
    }),
  );

/**
 * Renders the answers the binary prints without running the program (`src/FastOutput.ts`):
 * `--help` and `-h` of every command in the tree and `--version`, each through `runCli` itself,
 * with and without colour, and prints them as one JSON table on stdout. `scripts/bundle.ts`
 * runs it (under the `@miro-token/source` condition) and bakes the table into the entry chunk.
 * An argv whose run exits non-zero or writes to stderr is left out: the program answers it.
 *
 *   node --conditions=@miro-token/source scripts/fast-output.ts
 */
import { ConfigProvider, Console, Effect, Layer, Stdio, Stream } from "effect";
import type { Command } from "effect/cli";
import { TestConsole } from "effect/testing";
import { app } from "../src/Commands.ts";
import {
  type FastOutputTable,
  helpArgvs,
  keyOf,
  stripColors,
  VERSION_ARGVS,
} from "../src/FastOutput.ts";
import { runCli } from "../src/Main.ts";
import * as NodeEnvironment from "../src/NodeEnvironment.ts";

/** Every command path under `command` (itself included), by name and by alias. */
export const commandPaths = (
  command: Command.Command.Any,
  prefix: ReadonlyArray<string> = [],
): ReadonlyArray<ReadonlyArray<string>> => [
  prefix,
  ...command.subcommands.flatMap((group) =>
    group.commands.flatMap((sub) =>
      [sub.name, ...(sub.alias === undefined ? [] : [sub.alias])].flatMap((name) =>
        commandPaths(sub, [...prefix, name]),
      ),
    ),
  ),
];

/** stdout of `miro-token argv` in an empty environment, or `undefined` unless it exits 0 quietly. */
const stdoutOf = (argv: ReadonlyArray<string>, stdoutIsTerminal: boolean) =>
  Effect.gen(function* () {
    const console = yield* TestConsole.make;
    const exitCode = yield* runCli(argv).pipe(
      Effect.provideService(Console.Console, console),
      // The terminal question is the test's; the build machine's environment (its NO_COLOR)
      // must not shape the answers.
      Effect.provide(
        Layer.merge(
          Stdio.layerTest({
            stdin: Stream.empty,
            stdoutIsTerminal: Effect.succeed(stdoutIsTerminal),
            stderrIsTerminal: Effect.succeed(stdoutIsTerminal),
          }),
          ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} })),
        ),
      ),
      Effect.provide(NodeEnvironment.layer),
    );
    const errors = yield* console.errorLines;
    if (exitCode !== 0 || errors.length > 0) return undefined;
    const lines = yield* console.logLines;
    return lines.map((line) => `${String(line)}\n`).join("");
  });

/**
 * The whole table. Fails when an answer without colour is not the coloured one with its codes
 * removed: the table keeps only the coloured text.
 */
export const renderFastOutput: Effect.Effect<FastOutputTable, Error> = Effect.gen(function* () {
  const answers: Array<string> = [];
  const index: Record<string, number> = {};
  const argvs = [...commandPaths(app).flatMap(helpArgvs), ...VERSION_ARGVS];
  for (const argv of argvs) {
    const plain = yield* stdoutOf(argv, false);
    const colored = yield* stdoutOf(argv, true);
    if (plain === undefined || colored === undefined) continue;
    if (stripColors(colored) !== plain) {
      return yield* Effect.fail(
        new Error(`${keyOf(argv)}: plain help is not coloured help uncoloured`),
      );
    }
    const known = answers.indexOf(colored);
    index[keyOf(argv)] = known >= 0 ? known : answers.push(colored) - 1;
  }
  return { answers, index };
});

if (import.meta.main) {
  process.stdout.write(`${JSON.stringify(await Effect.runPromise(renderFastOutput))}\n`);
}

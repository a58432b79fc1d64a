// `info`'s fast argv reader against effect/cli itself: every argv the reader takes must be
// parsed by effect/cli, with the very flag declarations the program uses, to the same config
// records (shared options and info's input); whatever it is unsure of it must leave to the
// whole program. Generated argvs mix every flag with values, command names, `-`, `--` and
// forms the reader refuses.
import { Effect, Exit, Option } from "effect";
import { Command } from "effect/cli";
import { TestConsole } from "effect/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { infoConfig } from "../src/commands/InfoCommand.ts";
import { infoConfigOf } from "../src/commands/InfoFast.ts";
import { parseFastArgv } from "../src/FastArgv.ts";
import { deriveFastArgvTable } from "../src/FastArgvTable.ts";
import { globalFlags } from "../src/GlobalOptions.ts";
import * as NodeEnvironment from "../src/NodeEnvironment.ts";

const table = deriveFastArgvTable();

/** The same flags in a tree whose `info` hands back what effect/cli parsed. */
const probeRoot = Command.make("miro-token").pipe(Command.withSharedFlags(globalFlags));

/** effect/cli's reading of `argv`: the config records, or `undefined` when it refuses it. */
const effectCliParse = (argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    let parsed: { global: unknown; input: unknown } | undefined;
    const probe = probeRoot.pipe(
      Command.withSubcommands([
        Command.make("info", infoConfig, (input) =>
          Effect.map(probeRoot, (global) => {
            // Without effect/cli's own bookkeeping (a symbol-keyed subcommand state).
            parsed = { global: Object.fromEntries(Object.entries(global)), input };
          }),
        ),
      ]),
    );
    const exit = yield* Command.runWith(probe, { version: "0" })(argv).pipe(
      Effect.provide(TestConsole.layer),
      Effect.provide(NodeEnvironment.layer),
      Effect.exit,
    );
    return Exit.isSuccess(exit) ? parsed : undefined;
  });

const agree = (argv: ReadonlyArray<string>): "fast" | "whole program" => {
  const fast = parseFastArgv(table, argv);
  if (fast === undefined) return "whole program";
  const parsed = Effect.runSync(effectCliParse(argv));
  expect(parsed, `effect/cli refuses ${JSON.stringify(argv)}`).toBeDefined();
  expect(infoConfigOf(table, fast), JSON.stringify(argv)).toEqual(parsed);
  return "fast";
};

describe("info's fast argv reader", () => {
  it("derives its table from the program's flags", () => {
    expect(table.flags.transport).toMatchObject({ type: "choice", default: "node" });
    expect(table.flags.retries).toMatchObject({ type: "int", default: 2, scope: "global" });
    expect(table.flags["token-file"]).toMatchObject({ optional: true, scope: "command" });
    expect(table.stdinKey).toBe("stdin");
  });

  it.each([
    [["info"]],
    [["--json", "info"]],
    [["info", "--json", "--verbose"]],
    [["info", "-"]],
    [["info", "-", "--json"]],
    [["info", "--token-file", "-"]],
    [["info", "--token-file=/tmp/token"]],
    [["--transport", "fetch", "info", "--retries", "0"]],
    [["info", "--timeout=5s", "--base-url", "http://127.0.0.1:9"]],
    [["--client-id", "info", "info"]],
  ])("reads %j as effect/cli does", (argv) => {
    expect(agree(argv)).toBe("fast");
    expect(Option.isOption(infoConfigOf(table, parseFastArgv(table, argv)!).global.baseUrl)).toBe(
      true,
    );
  });

  it.each([
    [["info", "--json=false"]],
    [["info", "--no-json"]],
    [["info", "--retries", "-1"]],
    [["info", "--retries", "07"]],
    [["info", "--transport", "curl"]],
    [["info", "--", "-"]],
    [["--token-file", "x", "info"]],
    [["info", "--json", "--json"]],
    [["info", "x"]],
    [["info", "-", "-"]],
    [["info", "--token-file"]],
    [["info", "--token-file", "--json"]],
    [["info", "--help"]],
    [["revoke"]],
    [["-", "info"]],
  ])("leaves %j to the whole program", (argv) => {
    expect(agree(argv)).toBe("whole program");
  });

  it("agrees with effect/cli on every generated argv it reads", () => {
    const word = fc.constantFrom(
      "info",
      "revoke",
      "-",
      "--",
      "-h",
      "x",
      "",
      "true",
      "false",
      "0",
      "3",
      "07",
      "-1",
      "5s",
      "node",
      "ky",
      "curl",
      "/tmp/t",
      "http://127.0.0.1:9",
      ...Object.keys(table.flags).map((name) => `--${name}`),
      ...Object.keys(table.flags).map((name) => `--${name}=3`),
      "--json=true",
      "--json=false",
      "--no-json",
      "--transport=ky",
      "--token-file=-",
    );
    const value = fc.constantFrom("0", "3", "07", "-1", "-", "5s", "node", "ky", "info", "x", "");
    const flag = fc.constantFrom(...Object.keys(table.flags).map((name) => `--${name}`));
    // Mostly well-formed pieces (a flag with a value, inline or not; the command; `-`), so the
    // reader's accepted argvs come up often; now and then any word.
    const piece = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(flag, value).map(([f, v]) => [f, v]) },
      { weight: 2, arbitrary: fc.tuple(flag, value).map(([f, v]) => [`${f}=${v}`]) },
      { weight: 3, arbitrary: flag.map((f) => [f]) },
      { weight: 3, arbitrary: fc.constant(["info"]) },
      { weight: 1, arbitrary: fc.constant(["-"]) },
      { weight: 1, arbitrary: word.map((w) => [w]) },
    );
    let fast = 0;
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.flat()),
        (argv) => {
          if (agree(argv) === "fast") fast++;
        },
      ),
      { numRuns: 600, seed: Number(process.env.FC_SEED ?? 42) },
    );
    // The generator must reach the reader's accepted argvs, not only its refusals.
    expect(fast).toBeGreaterThan(20);
  });
});

/**
 * Runs `miro-token` in process: `runCli(argv)` with a TestConsole (stdout = `log`, stderr =
 * `error`), a test `Stdio` (stdin text, terminal flags), an environment of the test's choosing
 * (through `ConfigProvider`, never `process.env`) and a `Terminal` whose `display` is recorded
 * (the live status line). Node's file system and path services are real.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import * as NodePath from "@effect/platform-node/NodePath";
import {
  ConfigProvider,
  Console,
  Effect,
  type Fiber,
  Layer,
  Stdio,
  Stream,
  Terminal,
} from "effect";
import { ChildProcessSpawner } from "effect/process";
import { TestConsole } from "effect/testing";
import { runCli } from "../src/Main.ts";

/** What a run printed and how it ended. */
export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Everything written through `Terminal.display` (the TTY status line). */
  readonly display: string;
}

/** The world a run sees. */
export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  readonly stdoutIsTerminal?: boolean;
}

/** The services `runCli` needs, for one run. */
export const testEnvironment = (options: RunOptions, displayed: Array<string>) =>
  Layer.mergeAll(
    NodeFileSystem.layer,
    NodePath.layer,
    Stdio.layerTest({
      stdin:
        options.stdin === undefined
          ? Stream.empty
          : Stream.make(new TextEncoder().encode(options.stdin)),
      stdoutIsTerminal: Effect.succeed(options.stdoutIsTerminal ?? false),
      stderrIsTerminal: Effect.succeed(options.stdoutIsTerminal ?? false),
    }),
    Layer.succeed(
      Terminal.Terminal,
      Terminal.make({
        columns: Effect.succeed(100),
        rows: Effect.succeed(40),
        size: Effect.die("unused"),
        readInput: Effect.die("unused"),
        readLine: Effect.die("unused"),
        display: (text) => Effect.sync(() => void displayed.push(text)),
      }),
    ),
    Layer.succeed(
      ChildProcessSpawner.ChildProcessSpawner,
      ChildProcessSpawner.make(() => Effect.die("no child processes in tests")),
    ),
    ConfigProvider.layer(ConfigProvider.fromEnv({ env: { ...options.env } })),
  );

/** Output captured so far by a run. */
export interface Capture {
  readonly stdout: Effect.Effect<string>;
  readonly stderr: Effect.Effect<string>;
  readonly display: () => string;
}

/**
 * `miro-token argv` as an effect (on the caller's clock: TestClock inside `it.effect`), plus
 * live views of its output.
 */
export const prepare = (argv: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.map(TestConsole.make, (console) => {
    const displayed: Array<string> = [];
    const text = (lines: Effect.Effect<ReadonlyArray<unknown>>) =>
      Effect.map(lines, (all) => all.map(String).join("\n"));
    const capture: Capture = {
      stdout: text(console.logLines),
      stderr: text(console.errorLines),
      display: () => displayed.join(""),
    };
    const program = runCli(argv).pipe(
      Effect.provideService(Console.Console, console),
      Effect.provide(testEnvironment(options, displayed)),
    );
    return { program, capture };
  });

/** Run `miro-token argv` in process and collect what it printed. */
export const runEffect = (argv: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.gen(function* () {
    const { program, capture } = yield* prepare(argv, options);
    const exitCode = yield* program;
    return {
      exitCode,
      stdout: yield* capture.stdout,
      stderr: yield* capture.stderr,
      display: capture.display(),
    } satisfies RunResult;
  });

/** Wait real time (not the TestClock) inside an effect: for sockets to answer. */
export const realSleep = (ms: number) =>
  Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)));

/** Poll an effect in real time until `predicate` holds. */
export const eventually = <A, E, R>(
  read: Effect.Effect<A, E, R>,
  predicate: (value: A) => boolean,
  timeoutMs = 10_000,
): Effect.Effect<A, E | Error, R> =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = yield* read;
      if (predicate(value)) return value;
      if (Date.now() > deadline)
        return yield* Effect.fail(new Error("eventually: condition not met in time"));
      yield* realSleep(15);
    }
  });

/** Promise form of {@link runEffect}, for tests against real sockets. */
export const run = (argv: ReadonlyArray<string>, options: RunOptions = {}): Promise<RunResult> =>
  Effect.runPromise(runEffect(argv, options));

/** The one JSON document a `--json` run printed (fails the test if there is not exactly one). */
export const jsonOf = (result: RunResult): Record<string, unknown> => {
  const lines = result.stdout.split("\n").filter((line) => line.trim() !== "");
  if (lines.length !== 1) throw new Error(`expected one JSON line on stdout, got ${lines.length}`);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
};

/** A run in progress: its fiber and live views of what it printed so far. */
export interface LiveRun {
  readonly fiber: Fiber.Fiber<number>;
  readonly stdout: () => Promise<string>;
  readonly stderr: () => Promise<string>;
  readonly display: () => string;
}

/** Start `miro-token argv` in a background fiber (for long-running commands). */
export const start = async (
  argv: ReadonlyArray<string>,
  options: RunOptions = {},
): Promise<LiveRun> => {
  const console = await Effect.runPromise(TestConsole.make);
  const displayed: Array<string> = [];
  const fiber = Effect.runFork(
    runCli(argv).pipe(
      Effect.provideService(Console.Console, console),
      Effect.provide(testEnvironment(options, displayed)),
    ),
  );
  const read = (lines: Effect.Effect<ReadonlyArray<unknown>>) => () =>
    Effect.runPromise(Effect.map(lines, (all) => all.map(String).join("\n")));
  return {
    fiber,
    stdout: read(console.logLines),
    stderr: read(console.errorLines),
    display: () => displayed.join(""),
  };
};

/** Poll `read` until `predicate` holds (real time; for sockets and child processes). */
export const waitFor = async <A>(
  read: () => Promise<A> | A,
  predicate: (value: A) => boolean,
  timeoutMs = 10_000,
): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error("waitFor: condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

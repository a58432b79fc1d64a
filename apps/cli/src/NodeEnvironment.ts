/**
 * The services `effect/cli` needs, for the real process, and nothing more: Node's stdio, a
 * POSIX/Windows path service, a terminal that only writes (the live status line of `watch`),
 * and stubs for the file system and child processes, which no command uses through Effect
 * (token files are read with `node:fs`). Leaving out `NodeServices.layer`'s file system,
 * child-process spawner and readline terminal keeps them out of the bundle's start-up path.
 */
import * as NodeStdio from "@effect/platform-node/NodeStdio";
import { Effect, FileSystem, Layer, Path, Terminal } from "effect";
import { ChildProcessSpawner } from "effect/process";

const writeOnlyTerminal = Terminal.make({
  columns: Effect.sync(() => process.stdout.columns ?? 80),
  rows: Effect.sync(() => process.stdout.rows ?? 24),
  size: Effect.die("miro-token: terminal size events are not used"),
  readInput: Effect.die("miro-token: terminal input is not used"),
  readLine: Effect.die("miro-token: terminal input is not used"),
  display: (text) =>
    Effect.sync(() => {
      process.stdout.write(text);
    }),
});

/** Everything `runCli` needs from the process. */
export const layer = Layer.mergeAll(
  NodeStdio.layer,
  Path.layer,
  FileSystem.layerNoop({}),
  Layer.succeed(Terminal.Terminal, writeOnlyTerminal),
  Layer.succeed(
    ChildProcessSpawner.ChildProcessSpawner,
    ChildProcessSpawner.make(() => Effect.die("miro-token: child processes are not used")),
  ),
);

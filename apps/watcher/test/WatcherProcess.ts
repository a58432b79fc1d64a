/**
 * The binary as a child process, through its launcher (which runs the bundle the global setup
 * rebuilt from the sources), under `timeout -k` so a stuck child never outlives the run: its output as it comes
 * and its exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("../bin/miro-token-watcher.js", import.meta.url));

/** A running `miro-token-watcher` child. */
export interface WatcherRun {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `miro-token-watcher args` with only `PATH` and `env` in its environment. */
export const spawnWatcher = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
): WatcherRun => {
  const child = spawn("timeout", ["-k", "5", "60", process.execPath, LAUNCHER, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
};

/**
 * Runs a README snippet as a user would: a TypeScript module with Node (type stripping, our
 * packages from source under the `@miro-token/source` condition), a shell block with bash and
 * our binaries (`miro-token`, `miro-token-watcher`, `miro-token-emulator`) on the PATH. The
 * caller supplies the environment (the emulator's `MIRO_*` values) and a fresh working
 * directory. Output is kept for the failure message; a run that outlives its time is killed.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** How a run ended. */
export interface RunResult {
  /** Exit code, or `null` when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  /** Whether the process was still running when `stopAfterMs` passed (services only). */
  readonly stillRunning: boolean;
}

/** Where and with what a snippet runs. */
export interface RunOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Killed (SIGKILL) past this. */
  readonly timeoutMs: number;
  /**
   * For a service: once it has printed its first output (it is up), wait this long, record
   * whether it is still running, and send SIGTERM to its process group. A service that never
   * prints is killed at `timeoutMs` and counts as not running.
   */
  readonly stopAfterMs?: number | undefined;
}

const REPO = path.join(import.meta.dirname, "../../..");

const BINARIES: Readonly<Record<string, string>> = {
  "miro-token": "apps/cli/bin/miro-token.js",
  "miro-token-watcher": "apps/watcher/bin/miro-token-watcher.js",
  "miro-token-emulator": "packages/emulator/bin/miro-token-emulator.js",
};

/** A directory of shims that run our binaries with this Node, for `PATH`. */
export const binDirectory = (dir: string): string => {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, target] of Object.entries(BINARIES)) {
    const shim = path.join(dir, name);
    fs.writeFileSync(
      shim,
      `#!/bin/sh\nexec "${process.execPath}" "${path.join(REPO, target)}" "$@"\n`,
    );
    fs.chmodSync(shim, 0o755);
  }
  return dir;
};

const run = (command: string, args: ReadonlyArray<string>, options: RunOptions) =>
  new Promise<RunResult>((resolve) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let stillRunning = false;
    let stop: NodeJS.Timeout | undefined;
    // A service is up once it has printed something; it is stopped `stopAfterMs` later.
    const started = () => {
      if (options.stopAfterMs === undefined || stop !== undefined) return;
      stop = setTimeout(() => {
        stillRunning = child.exitCode === null && child.signalCode === null;
        signalGroup("SIGTERM");
      }, options.stopAfterMs);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      started();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      started();
    });
    // The whole process group: a shell block's background jobs go too.
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const kill = setTimeout(() => signalGroup("SIGKILL"), options.timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(kill);
      if (stop !== undefined) clearTimeout(stop);
      signalGroup("SIGTERM");
      resolve({ code, signal, output, stillRunning });
    });
  });

/** Runs a TypeScript module snippet with Node. */
export const runModule = (file: string, options: RunOptions): Promise<RunResult> =>
  run(process.execPath, ["--conditions=@miro-token/source", file], options);

/** Runs a shell snippet with bash, our binaries first on the PATH. */
export const runShell = (code: string, bin: string, options: RunOptions): Promise<RunResult> =>
  run("bash", ["-euo", "pipefail", "-c", code], {
    ...options,
    env: { ...options.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
  });

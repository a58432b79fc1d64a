/**
 * Spawning a test fixture script as a real child process, always under `timeout -k` (a hung
 * child cannot outlive the test run), talking to it line by line, and killing every child
 * still alive when a test ends. The fixture prints "ready <pid>" once it can take commands.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** How to start one worker: a `.ts` script run by this Node with the source condition. */
export interface WorkerCommand {
  readonly script: string;
  readonly args: ReadonlyArray<string>;
  /** Extra environment (secrets go here, never in `args`). */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** The `timeout` after which the worker is killed. @default 120 */
  readonly timeoutSeconds?: number | undefined;
}

/** A running worker. */
export interface Worker {
  /** The node process's pid (not the `timeout` wrapper's). */
  readonly pid: number;
  readonly send: (line: string) => void;
  /** The next line matching `pattern` (lines already seen are not searched again). */
  readonly next: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  /** Every line received so far. */
  readonly lines: ReadonlyArray<string>;
  /** Resolves with the exit code, or the signal's name ("SIGKILL" after `kill`). */
  readonly exited: Promise<number | string>;
  readonly kill: () => void;
}

/** Node's compile cache: a worker's start-up is mostly compiling Effect's modules. */
const COMPILE_CACHE = join(tmpdir(), "miro-token-testkit-compile-cache");

const live = new Set<{ child: ChildProcessWithoutNullStreams; pid: () => number | undefined }>();

const killQuietly = (pid: number | undefined): void => {
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
};

/** Start a worker; resolves once it printed "ready <pid>". */
export const startWorker = async (command: WorkerCommand): Promise<Worker> => {
  const child = spawn(
    "timeout",
    [
      "-k",
      "5",
      String(command.timeoutSeconds ?? 120),
      process.execPath,
      "--conditions=@miro-token/source",
      command.script,
      ...command.args,
    ],
    {
      env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE, ...command.env },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let nodePid: number | undefined;
  const entry = { child, pid: () => nodePid };
  live.add(entry);
  const lines: Array<string> = [];
  let stderr = "";
  let scanned = 0;
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = `${stderr}${chunk.toString("utf8")}`.slice(-4000);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => {
      live.delete(entry);
      for (const wake of waiters.splice(0)) wake();
      resolve(code ?? signal ?? "unknown");
    }),
  );
  const next = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolve, reject) => {
      let cancelled = false;
      const timer = setTimeout(() => {
        cancelled = true;
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      const look = () => {
        if (cancelled) return;
        while (scanned < lines.length) {
          const line = lines[scanned++] ?? "";
          if (pattern.test(line)) {
            clearTimeout(timer);
            resolve(line);
            return;
          }
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`worker exited before a line matching ${pattern}; stderr:\n${stderr}`));
          return;
        }
        waiters.push(look);
      };
      look();
    });
  const ready = await next(/^ready \d+$/, 60_000);
  nodePid = Number(ready.split(" ")[1]);
  const pid = nodePid;
  return {
    pid,
    send: (line) => child.stdin.write(`${line}\n`),
    next,
    lines,
    exited,
    kill: () => killQuietly(pid),
  };
};

/** Kill every worker still running (call in `afterEach`). */
export const killAllWorkers = async (): Promise<void> => {
  const exits: Array<Promise<unknown>> = [];
  for (const { child, pid } of live) {
    killQuietly(pid());
    killQuietly(child.pid);
    exits.push(new Promise((resolve) => child.once("exit", resolve)));
  }
  await Promise.all(exits);
};

// Spawning `fixtures/RefreshWorker.ts` (or another fixture) as a real child process, always under `timeout -k` (a
// hung child cannot outlive the test run), talking to it line by line, and killing every
// child still alive when a test ends.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("./fixtures/RefreshWorker.ts", import.meta.url));
/** Node's compile cache: a worker's start-up is mostly compiling Effect's modules. */
const COMPILE_CACHE = join(tmpdir(), "miro-token-store-file-compile-cache");

/** What the worker needs to reach the emulator. */
export interface WorkerEnv {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `WORKER_PAUSE_MS`: how long the worker's loop uses a token between refreshes. */
  readonly pauseMs?: number;
  /** The fixture to run (default `fixtures/RefreshWorker.ts`). */
  readonly script?: string;
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
  /**
   * Resolves with the exit code, or the signal's name: `timeout` re-raises a signal that killed
   * the worker, so a SIGKILLed worker ends as "SIGKILL".
   */
  readonly exited: Promise<number | string>;
  readonly kill: () => void;
}

const live = new Set<{ child: ChildProcessWithoutNullStreams; pid: () => number | undefined }>();

/** Start a worker on `directory` for token `tokenId`; resolves once it printed "ready". */
export const startWorker = async (
  directory: string,
  tokenId: string,
  env: WorkerEnv,
): Promise<Worker> => {
  const child = spawn(
    "timeout",
    [
      "-k",
      "5",
      "90",
      process.execPath,
      "--conditions=@miro-token/source",
      env.script ?? WORKER,
      directory,
      tokenId,
    ],
    {
      env: {
        ...process.env,
        MIRO_API_BASE_URL: env.baseUrl,
        MIRO_CLIENT_ID: env.clientId,
        MIRO_CLIENT_SECRET: env.clientSecret,
        NODE_COMPILE_CACHE: COMPILE_CACHE,
        WORKER_PAUSE_MS: String(env.pauseMs ?? 0),
      },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let nodePid: number | undefined;
  const entry = { child, pid: () => nodePid };
  live.add(entry);
  const lines: Array<string> = [];
  let scanned = 0;
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.resume();
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
          reject(new Error(`worker exited before a line matching ${pattern}`));
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

const killQuietly = (pid: number | undefined): void => {
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
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

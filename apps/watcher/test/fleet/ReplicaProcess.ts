/**
 * One fleet replica as the real `miro-token-watcher` binary (its launcher, which runs the bundle
 * the global setup rebuilt from the sources), started on a `postgres://` store the way a user
 * starts N of them: `PGPASSWORD=… miro-token-watcher --store postgres://user@host/db …`.
 *
 * Unlike `WatcherProcess.ts`'s `spawnWatcher` (a 60 s `timeout`, whole output kept), a replica
 * may run for minutes and logs a line per probe: only its `listening` line and the tail of its
 * stderr are kept. It still runs under `timeout -k`, so a stuck child never outlives the run;
 * `kill` (SIGKILL) and `terminate` (SIGTERM) go to the node process itself, found under the
 * wrapper in `/proc`, so a SIGKILL is the abrupt death of the replica, not of its wrapper.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("../../bin/miro-token-watcher.js", import.meta.url));

/** A running replica. */
export interface Replica {
  /** The node process's pid (not the `timeout` wrapper's). */
  readonly pid: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Resolves with the exit code, or the signal's name ("SIGKILL" after `kill`). */
  readonly exited: Promise<number | string>;
  /** SIGKILL the replica. */
  readonly kill: () => void;
  readonly stderr: () => string;
}

/** Running wrappers, with their node process once known. */
const live = new Map<ChildProcess, number | undefined>();

const signal = (pid: number, name: NodeJS.Signals) => {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
};

/** The node process `timeout` runs (its only child). */
const childOf = (wrapper: number): number => {
  const text = readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, "utf8").trim();
  const pid = Number(text.split(/\s+/)[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no child under ${wrapper}`);
  return pid;
};

/**
 * Start `miro-token-watcher --port 0 args` with only `PATH` and `env` in its environment;
 * resolves once it printed its `listening` line.
 */
export const startReplica = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  timeoutSeconds = 600,
): Promise<Replica> => {
  const child = spawn(
    "timeout",
    ["-k", "5", String(timeoutSeconds), process.execPath, LAUNCHER, "--port", "0", ...args],
    { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  live.set(child, undefined);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = `${stderr}${chunk.toString("utf8")}`.slice(-4000);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, name) => {
      live.delete(child);
      resolve(code ?? name ?? "unknown");
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () => reject(new Error(`no listening line; stderr:\n${stderr}`)),
      60_000,
    );
    lines.on("line", (line) => {
      if (!line.includes('"event":"listening"')) return;
      clearTimeout(timer);
      lines.removeAllListeners("line");
      resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the replica exited before listening; stderr:\n${stderr}`));
    });
  });
  // The NDJSON log (a line per status change) is read and dropped from here on.
  child.stdout!.resume();
  const pid = childOf(child.pid!);
  if (live.has(child)) live.set(child, pid);
  return { pid, url, exited, kill: () => signal(pid, "SIGKILL"), stderr: () => stderr };
};

/** SIGKILL every replica still running (call in `afterAll` / `finally`). */
export const killAllReplicas = async (): Promise<void> => {
  const exits: Array<Promise<unknown>> = [];
  for (const [child, pid] of live) {
    exits.push(new Promise((resolve) => child.once("exit", resolve)));
    if (pid !== undefined) signal(pid, "SIGKILL");
    if (child.pid !== undefined) signal(child.pid, "SIGKILL");
  }
  await Promise.all(exits);
};

/**
 * Child processes for the smoke test: run a command to completion with its output captured, and
 * fail with the command line and the tail of its output (never a secret: the smoke test only
 * handles the emulator's throwaway tokens, and they are not printed).
 */
import { spawn } from "node:child_process";

/** What a finished command printed and how it ended. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Milliseconds before the command is killed; default two minutes. */
  readonly timeout?: number;
}

/** Runs `command args` and resolves with its exit code and output (it does not throw on failure). */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: RunOptions,
): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeout ?? 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });

/** Like {@link run}, but throws a readable error unless the command exits 0; returns stdout. */
export const runOk = async (
  command: string,
  args: ReadonlyArray<string>,
  options: RunOptions,
): Promise<string> => {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-40).join("\n");
    throw new Error(`\`${[command, ...args].join(" ")}\` exited ${result.code}:\n${tail}`);
  }
  return result.stdout;
};

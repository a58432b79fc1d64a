/**
 * Starts the Miro emulator in its own process, as benchmarks need: the server's work must not
 * share an event loop with the client being measured. Rate limiting is lifted through the
 * emulator's control API so a long run never meets a 429.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** A running emulator process and the seeded credentials it printed. */
export interface EmulatorProcess {
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly stop: () => Promise<void>;
}

const launcher = fileURLToPath(
  new URL("../../packages/emulator/bin/miro-token-emulator.js", import.meta.url),
);

/** A child process that printed a JSON start line, and how to stop it. */
export interface StartedChild {
  readonly start: { readonly baseUrl: string; readonly accessToken: string };
  readonly stop: () => Promise<void>;
}

/**
 * Spawns `node <script> ...args` and waits for its first stdout line, a JSON start line. A bench
 * that throws must not leave the child running (and holding the terminal's pipe).
 */
export const spawnWithStartLine = async (
  script: string,
  args: ReadonlyArray<string>,
): Promise<StartedChild> => {
  const child: ChildProcess = spawn(process.execPath, [script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const orphanGuard = () => child.kill("SIGTERM");
  process.once("exit", orphanGuard);
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, "line")) as [string];
  lines.close();
  return {
    start: JSON.parse(first) as StartedChild["start"],
    stop: async () => {
      process.off("exit", orphanGuard);
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
};

/** Spawns `miro-token-emulator --port 0 --json` and waits for its start line. */
export const startEmulatorProcess = async (): Promise<EmulatorProcess> => {
  const { start, stop } = await spawnWithStartLine(launcher, ["--port", "0", "--json"]);
  const lifted = await fetch(`${start.baseUrl}/__emulator/config`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rateLimit: { creditsPerMinute: Number.MAX_SAFE_INTEGER } }),
  });
  if (!lifted.ok) throw new Error(`emulator config failed: ${lifted.status}`);
  return { baseUrl: start.baseUrl, accessToken: start.accessToken, stop };
};

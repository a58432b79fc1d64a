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

/** Spawns `miro-token-emulator --port 0 --json` and waits for its start line. */
export const startEmulatorProcess = async (): Promise<EmulatorProcess> => {
  const child: ChildProcess = spawn(process.execPath, [launcher, "--port", "0", "--json"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // A bench that throws must not leave its emulator running (and holding the terminal's pipe).
  const orphanGuard = () => child.kill("SIGTERM");
  process.once("exit", orphanGuard);
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, "line")) as [string];
  lines.close();
  const start = JSON.parse(first) as { baseUrl: string; accessToken: string };
  const lifted = await fetch(`${start.baseUrl}/__emulator/config`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rateLimit: { creditsPerMinute: Number.MAX_SAFE_INTEGER } }),
  });
  if (!lifted.ok) throw new Error(`emulator config failed: ${lifted.status}`);
  return {
    baseUrl: start.baseUrl,
    accessToken: start.accessToken,
    stop: async () => {
      process.off("exit", orphanGuard);
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
};

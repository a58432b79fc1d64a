// The store-file tests' workers: `fixtures/RefreshWorker.ts` (or another fixture) on a store
// directory and token id, reaching the emulator through the environment. Spawning, talking to
// and killing them is testkit's `WorkerProcess`; this module only says what to run.
import { fileURLToPath } from "node:url";
import { startWorker as startScript, type Worker } from "@miro-token/testkit";

export { killAllWorkers, type Worker } from "@miro-token/testkit";

const WORKER = fileURLToPath(new URL("./fixtures/RefreshWorker.ts", import.meta.url));

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

/** Start a worker on `directory` for token `tokenId`; resolves once it printed "ready". */
export const startWorker = (directory: string, tokenId: string, env: WorkerEnv): Promise<Worker> =>
  startScript({
    script: env.script ?? WORKER,
    args: [directory, tokenId],
    env: {
      MIRO_API_BASE_URL: env.baseUrl,
      MIRO_CLIENT_ID: env.clientId,
      MIRO_CLIENT_SECRET: env.clientSecret,
      WORKER_PAUSE_MS: String(env.pauseMs ?? 0),
    },
  });

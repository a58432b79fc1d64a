// RELIABILITY target 14 [real processes]: a child runs a refresh-and-persist loop against the
// emulator (in this process) and is SIGKILLed at a random offset, as many times as fit in the
// time budget, in two lanes (own store directory, own token) so the two cores stay busy while
// the next child starts. After every kill the store must parse, and the stored refresh token
// must be active at the emulator — unless the kill fell in the window between sending the
// refresh and the durable write ("refreshing" printed, "persisted" not), in which case the
// next start must report "reauthorize" (exit 3), never loop.
import { readdir } from "node:fs/promises";
import { afterEach, describe, expect, it } from "@effect/vitest";
import type { TokenStoreShape } from "@miro-token/core";
import type { Emulator } from "@miro-token/emulator";
import { Effect, Option } from "effect";
import {
  openStore,
  refreshOf,
  reseedToken,
  scopedEmulator,
  tempDirectory,
  workerEnvOf,
} from "./StoreFixtures.ts";
import { killAllWorkers, startWorker, type Worker } from "./WorkerProcess.ts";

/** Enough kills to judge the store; a loaded machine gets more time to reach them. */
const MAX_KILLS = 40;
const BUDGET_MS = 100_000;
const LANES = 2;
/** How long the loop uses a token between refreshes: sets the share of time in the window. */
const PAUSE_MS = 1_000;
const MAX_OFFSET_MS = 1_500;

interface Tally {
  kills: number;
  active: number;
  inWindow: number;
  reauthorized: number;
  unparseable: number;
  unexplained: Array<string>;
  orphanedTemps: number;
  /** For every completed refresh: ms from its response to the end of its durable write. */
  windows: Array<number>;
  /** For every completed refresh: ms from sending it to the end of its durable write. */
  roundTrips: Array<number>;
}

const lane = (
  emulator: Emulator,
  directory: string,
  tokenId: string,
  deadline: number,
  tally: Tally,
) =>
  Effect.gen(function* () {
    const store: TokenStoreShape = yield* openStore(directory);
    const env = workerEnvOf(emulator, PAUSE_MS);
    const reseed = reseedToken(emulator, store, tokenId);
    yield* reseed;
    const spawnNext = () => startWorker(directory, tokenId, env);
    let next: Promise<Worker> = spawnNext();
    while (performance.now() < deadline && tally.kills < MAX_KILLS) {
      const worker = yield* Effect.promise(() => next);
      next = spawnNext();
      worker.send("loop");
      yield* Effect.sleep(Math.random() * MAX_OFFSET_MS);
      worker.kill();
      yield* Effect.promise(() => worker.exited);
      tally.kills++;
      for (const line of worker.lines) {
        const [word, , sinceSent, sinceResponse] = line.split(" ");
        if (word !== "persisted") continue;
        tally.windows.push(Number(sinceResponse));
        tally.roundTrips.push(Number(sinceSent));
      }
      tally.orphanedTemps += (yield* Effect.promise(() => readdir(directory))).filter((n) =>
        n.endsWith(".tmp"),
      ).length;

      const stored = yield* Effect.result(store.get(tokenId));
      if (stored._tag === "Failure") {
        tally.unparseable++;
        continue;
      }
      const tokenSet = Option.getOrThrow(stored.success).tokenSet;
      const state = emulator.refreshTokenState(refreshOf(tokenSet));
      if (state === "active") {
        tally.active++;
        continue;
      }
      const last = worker.lines.at(-1) ?? "";
      if (state !== "rotated" || !last.startsWith("refreshing ")) {
        tally.unexplained.push(`${state} after "${last}"`);
      } else {
        tally.inWindow++;
      }
      // The next start must stop with "reauthorize", not loop on the dead refresh token.
      const successor = yield* Effect.promise(() => next);
      successor.send("loop");
      const said = yield* Effect.promise(() => successor.next(/^(reauthorize|persisted)/, 20_000));
      if (said === "reauthorize" && (yield* Effect.promise(() => successor.exited)) === 3) {
        tally.reauthorized++;
      }
      next = spawnNext();
      yield* reseed;
    }
    (yield* Effect.promise(() => next)).kill();
  });

const percentile = (values: ReadonlyArray<number>, p: number): number =>
  [...values].sort((a, b) => a - b)[Math.floor(p * (values.length - 1))] ?? Number.NaN;

describe("crash consistency (target 14)", () => {
  afterEach(killAllWorkers);

  it.live(
    "SIGKILL at random offsets: 0 unparseable stores, active tokens but in the window",
    () =>
      Effect.gen(function* () {
        const emulator = yield* scopedEmulator;
        const tally: Tally = {
          kills: 0,
          active: 0,
          inWindow: 0,
          reauthorized: 0,
          unparseable: 0,
          unexplained: [],
          orphanedTemps: 0,
          windows: [],
          roundTrips: [],
        };
        const started = performance.now();
        const deadline = started + BUDGET_MS;
        const directories: Array<string> = [];
        for (let i = 0; i < LANES; i++) directories.push(yield* tempDirectory);
        yield* Effect.forEach(
          directories,
          (directory, i) => lane(emulator, directory, `lane-${i}`, deadline, tally),
          { concurrency: "unbounded" },
        );
        const elapsed = performance.now() - started;
        console.log(
          `target 14: ${tally.kills} kills in ${Math.round(elapsed)} ms; ` +
            `active ${tally.active}, in the refresh-to-fsync window ${tally.inWindow} ` +
            `(${tally.reauthorized} then reported reauthorize), unparseable ${tally.unparseable}, ` +
            `temp files seen right after kills ${tally.orphanedTemps}; response-to-durable ` +
            `window median ${percentile(tally.windows, 0.5)} ms, p90 ${percentile(tally.windows, 0.9)} ms ` +
            `(send-to-durable median ${percentile(tally.roundTrips, 0.5)} ms, ` +
            `p90 ${percentile(tally.roundTrips, 0.9)} ms)`,
        );
        expect(tally.kills).toBeGreaterThanOrEqual(20);
        expect(tally.unparseable).toBe(0);
        expect(tally.unexplained).toEqual([]);
        expect(tally.active + tally.inWindow).toBe(tally.kills);
        expect(tally.reauthorized).toBe(tally.inWindow);
        // The share of kills in the window is the share of time the loop spends between a
        // refresh's rotation and its durable write: with one refresh per ~1.2 s here, a few
        // percent (RELIABILITY's 99% assumes a realistic cadence; see the README). This floor
        // only catches a store that loses tokens outside that window.
        expect(tally.active / tally.kills).toBeGreaterThanOrEqual(0.8);
        // Reopening sweeps what the killed writers left: no temp file holds a token any more.
        for (const directory of directories) {
          yield* openStore(directory);
          const left = yield* Effect.promise(() => readdir(directory));
          expect(left.filter((n) => n.endsWith(".tmp"))).toEqual([]);
        }
      }).pipe(Effect.scoped),
    { timeout: 160_000 },
  );
});

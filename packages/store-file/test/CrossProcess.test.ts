// RELIABILITY target 13 [real processes]: 4 worker processes share one store directory and
// refresh one token at the emulator (in this process) with the store protocol. Every round
// all four are told at once that the stored generation expired: exactly one refresh request
// per round reaches the emulator and none reuses a refresh token. Then a worker is SIGKILLed
// while it holds the token's lock, and another worker gets the lock well within 15 s.
import { afterEach, describe, expect, it } from "@effect/vitest";
import type { TokenStoreShape } from "@miro-token/core";
import type { Emulator } from "@miro-token/emulator";
import { Effect, Option, Redacted } from "effect";
import { openStore, refreshOf, scopedEmulator, tempDirectory } from "./StoreFixtures.ts";
import { killAllWorkers, startWorker, type Worker, type WorkerEnv } from "./WorkerProcess.ts";

const ROUNDS = 200;
const TOKEN_ID = "shared-user";

const seed = (emulator: Emulator, store: TokenStoreShape) =>
  Effect.gen(function* () {
    const issued = emulator.issueTokens({
      clientId: emulator.seed!.client.clientId,
      expiring: true,
    });
    yield* store.compareAndSet(TOKEN_ID, 0, {
      accessToken: Redacted.make(issued.accessToken),
      refreshToken: Redacted.make(issued.refreshToken ?? ""),
      scopes: [],
    });
  });

const workerEnv = (emulator: Emulator): WorkerEnv => ({
  baseUrl: emulator.baseUrl,
  clientId: emulator.seed!.client.clientId,
  clientSecret: emulator.seed!.client.clientSecret,
});

const generationOf = (store: TokenStoreShape) =>
  store.get(TOKEN_ID).pipe(Effect.map((s) => Option.getOrThrow(s).generation));

/** A seeded store shared by two workers, the first of which holds the token's lock. */
const holderAndWaiter = Effect.gen(function* () {
  const emulator = yield* scopedEmulator;
  const dir = yield* tempDirectory;
  const store = yield* openStore(dir);
  yield* seed(emulator, store);
  const [holder, other] = yield* Effect.promise(() =>
    Promise.all([
      startWorker(dir, TOKEN_ID, workerEnv(emulator)),
      startWorker(dir, TOKEN_ID, workerEnv(emulator)),
    ]),
  );
  holder.send("hold");
  yield* Effect.promise(() => holder.next(/^holding$/));
  return { store, holder, other };
});

describe("cross-process single-flight (target 13)", () => {
  afterEach(killAllWorkers);

  it.live(
    `4 processes, ${ROUNDS} simultaneous expiries: 1 refresh per round, 0 reuse`,
    () =>
      Effect.gen(function* () {
        const emulator = yield* scopedEmulator;
        const dir = yield* tempDirectory;
        const store = yield* openStore(dir);
        yield* seed(emulator, store);
        const workers: ReadonlyArray<Worker> = yield* Effect.promise(() =>
          Promise.all([1, 2, 3, 4].map(() => startWorker(dir, TOKEN_ID, workerEnv(emulator)))),
        );
        emulator.clearRequests();

        const started = performance.now();
        const refreshesPerRound: Array<number> = [];
        for (let round = 1; round <= ROUNDS; round++) {
          const generation = yield* generationOf(store);
          const before = emulator.requests.length;
          for (const worker of workers) worker.send(`round ${round} ${generation}`);
          const outcomes = yield* Effect.promise(() =>
            Promise.all(workers.map((w) => w.next(new RegExp(`^done ${round} `)))),
          );
          const tokenRequests = emulator.requests.slice(before).filter((r) => r.route === "token");
          refreshesPerRound.push(tokenRequests.length);
          expect(outcomes.map((o) => o.split(" ")[2]).sort()).toEqual([
            "refreshed",
            "skipped",
            "skipped",
            "skipped",
          ]);
          expect(yield* generationOf(store)).toBe(generation + 1);
        }
        const elapsed = performance.now() - started;
        const tokenRequests = emulator.requests.filter((r) => r.route === "token");
        expect(refreshesPerRound.filter((n) => n !== 1)).toEqual([]);
        expect(tokenRequests).toHaveLength(ROUNDS);
        expect(tokenRequests.filter((r) => r.status !== 200)).toEqual([]);
        const final = Option.getOrThrow(yield* store.get(TOKEN_ID));
        expect(emulator.refreshTokenState(refreshOf(final.tokenSet))).toBe("active");
        console.log(
          `target 13: ${ROUNDS} rounds x 4 processes in ${Math.round(elapsed)} ms ` +
            `(${(elapsed / ROUNDS).toFixed(1)} ms/round), ${tokenRequests.length} refresh requests`,
        );
      }).pipe(Effect.scoped),
    { timeout: 120_000 },
  );

  it.live(
    "a SIGKILLed lock holder's lock is recovered by another process within 15 s",
    () =>
      Effect.gen(function* () {
        const { store, holder, other } = yield* holderAndWaiter;
        // While the holder lives, the other process cannot refresh.
        other.send("round 1 1");
        const blocked = yield* Effect.promise(() =>
          other.next(/^done 1 /, 1_500).then(
            () => false,
            () => true,
          ),
        );
        expect(blocked).toBe(true);

        const killedAt = performance.now();
        holder.kill();
        expect(yield* Effect.promise(() => holder.exited)).toBe("SIGKILL");
        const outcome = yield* Effect.promise(() => other.next(/^done 1 /, 15_000));
        const recoveredAfter = performance.now() - killedAt;
        expect(outcome).toBe("done 1 refreshed");
        expect(recoveredAfter).toBeLessThan(15_000);
        expect(yield* generationOf(store)).toBe(2);
        console.log(
          `target 13: lock of a SIGKILLed holder recovered after ${Math.round(recoveredAfter)} ms`,
        );
      }).pipe(Effect.scoped),
    { timeout: 90_000 },
  );

  it.live(
    "a frozen holder (SIGSTOP: pid alive, heartbeat stopped) loses its lock after staleAfter",
    () =>
      Effect.gen(function* () {
        const { holder, other } = yield* holderAndWaiter;
        const stoppedAt = performance.now();
        process.kill(holder.pid, "SIGSTOP");
        other.send("round 1 1");
        const outcome = yield* Effect.promise(() => other.next(/^done 1 /, 15_000));
        const recoveredAfter = performance.now() - stoppedAt;
        expect(outcome).toBe("done 1 refreshed");
        // Not before the heartbeat went stale (default staleAfter: 10 s), and within 15 s.
        expect(recoveredAfter).toBeGreaterThan(9_000);
        expect(recoveredAfter).toBeLessThan(15_000);
        holder.kill();
        console.log(
          `target 13: lock of a frozen holder recovered after ${Math.round(recoveredAfter)} ms`,
        );
      }).pipe(Effect.scoped),
    { timeout: 90_000 },
  );
});

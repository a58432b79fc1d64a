/**
 * The refresh single-flight half of the store conformance suite: every round, N refreshers are
 * told at once that the stored generation expired, and exactly one refresh request per round
 * may reach the emulator (a second would present a rotated refresh token). In-process the
 * refreshers are fibers on one store; for a store shared across processes they are 4 real
 * worker processes, and a SIGKILLed lock holder's lock must be taken over in bounded time.
 */
import { afterEach, expect, it } from "@effect/vitest";
import {
  type HttpTransport,
  MiroConfig,
  TokenClient,
  TokenStore,
  type TokenStoreShape,
} from "@miro-token/core";
import type { Emulator } from "@miro-token/emulator";
import { Deferred, Effect, Fiber, Layer, Option, Redacted } from "effect";
import { scopedEmulator } from "./ScopedEmulator.ts";
import type { StoreConformanceHarness } from "./StoreConformance.ts";
import { refreshIfStill } from "./StoreRefreshProtocol.ts";
import { killAllWorkers, startWorker } from "./WorkerProcess.ts";

const TOKEN_ID = "shared-user";
const ROUNDS = 25;

const miroEnv = (emulator: Emulator) => ({
  MIRO_API_BASE_URL: emulator.baseUrl,
  MIRO_CLIENT_ID: emulator.seed!.client.clientId,
  MIRO_CLIENT_SECRET: emulator.seed!.client.clientSecret,
});

const seed = (emulator: Emulator, store: TokenStoreShape) => {
  const issued = emulator.issueTokens({ clientId: emulator.seed!.client.clientId, expiring: true });
  return store.compareAndSet(TOKEN_ID, 0, {
    accessToken: Redacted.make(issued.accessToken),
    refreshToken: Redacted.make(issued.refreshToken ?? ""),
    scopes: [],
  });
};

const generationOf = (store: TokenStoreShape) =>
  Effect.map(store.get(TOKEN_ID), (found) => Option.getOrThrow(found).generation);

/** Play `ROUNDS` rounds; `round(n, generation)` returns every participant's outcome. */
const playRounds = (
  emulator: Emulator,
  store: TokenStoreShape,
  round: (n: number, generation: number) => Effect.Effect<ReadonlyArray<string>>,
) =>
  Effect.gen(function* () {
    emulator.clearRequests();
    const refreshesPerRound: Array<number> = [];
    for (let n = 1; n <= ROUNDS; n++) {
      const generation = yield* generationOf(store);
      const before = emulator.requests.length;
      const outcomes = yield* round(n, generation);
      refreshesPerRound.push(
        emulator.requests.slice(before).filter((r) => r.route === "token").length,
      );
      expect([...outcomes].sort()).toEqual(["refreshed", "skipped", "skipped", "skipped"]);
      expect(yield* generationOf(store)).toBe(generation + 1);
    }
    expect(refreshesPerRound).toEqual(Array.from({ length: ROUNDS }, () => 1));
    const tokenRequests = emulator.requests.filter((r) => r.route === "token");
    expect(tokenRequests.filter((r) => r.status !== 200)).toEqual([]);
    const final = Option.getOrThrow(yield* store.get(TOKEN_ID)).tokenSet.refreshToken;
    expect(emulator.refreshTokenState(final === undefined ? "" : Redacted.value(final))).toBe(
      "active",
    );
  });

/** 4 fibers on one store instance, `ROUNDS` rounds. */
export const inProcessSingleFlight = (
  store: TokenStoreShape,
  transport: Layer.Layer<HttpTransport>,
) =>
  Effect.gen(function* () {
    const emulator = yield* scopedEmulator;
    yield* seed(emulator, store);
    const services = Layer.mergeAll(
      Layer.succeed(TokenStore, store),
      TokenClient.layer.pipe(
        Layer.provide(transport),
        Layer.provide(
          MiroConfig.layer({
            baseUrl: emulator.baseUrl,
            clientId: emulator.seed!.client.clientId,
            clientSecret: emulator.seed!.client.clientSecret,
          }),
        ),
      ),
    );
    yield* playRounds(emulator, store, (_n, generation) =>
      Effect.all(
        [1, 2, 3, 4].map(() => refreshIfStill(TOKEN_ID, generation)),
        { concurrency: "unbounded" },
      ).pipe(Effect.provide(services)),
    );
  }).pipe(Effect.scoped, Effect.orDie);

/** The 4-process tests, registered inside the suite's `describe`. */
export const crossProcessTests = (harness: StoreConformanceHarness): void => {
  afterEach(killAllWorkers);

  const opened = Effect.gen(function* () {
    const under = yield* Effect.orDie(harness.open);
    if (under.worker === undefined) {
      return yield* Effect.die(new Error("crossProcess: true needs the harness to give `worker`"));
    }
    const emulator = yield* scopedEmulator;
    yield* Effect.orDie(seed(emulator, under.store));
    const spawn = under.worker;
    const start = () =>
      startWorker({ ...spawn(TOKEN_ID), env: { ...spawn(TOKEN_ID).env, ...miroEnv(emulator) } });
    return { ...under, emulator, start };
  });

  it.live(
    `4 processes, ${ROUNDS} simultaneous expiries: exactly one refresh per round`,
    () =>
      Effect.gen(function* () {
        const { store, emulator, start } = yield* opened;
        const workers = yield* Effect.promise(() => Promise.all([1, 2, 3, 4].map(start)));
        const started = performance.now();
        yield* playRounds(emulator, store, (n, generation) =>
          Effect.promise(() => {
            for (const worker of workers) worker.send(`round ${n} ${generation}`);
            return Promise.all(
              workers.map((w) => w.next(new RegExp(`^done ${n} `)).then((l) => l.split(" ")[2]!)),
            );
          }),
        );
        const ms = performance.now() - started;
        console.log(`${ROUNDS} rounds x 4 processes: ${(ms / ROUNDS).toFixed(1)} ms/round`);
      }).pipe(Effect.scoped, Effect.orDie),
    { timeout: 120_000 },
  );

  it.live(
    "a SIGKILLed lock holder's lock is taken over, in bounded time, by another process",
    () =>
      Effect.gen(function* () {
        const { store, start, takeoverWithinMs = 15_000 } = yield* opened;
        const holder = yield* Effect.promise(start);
        holder.send("hold");
        yield* Effect.promise(() => holder.next(/^holding$/));
        const entered = yield* Deferred.make<number>();
        const waiter = yield* Effect.forkChild(
          store.withLock(
            TOKEN_ID,
            Effect.sync(() => performance.now()).pipe(
              Effect.flatMap((now) => Deferred.succeed(entered, now)),
              Effect.andThen(
                store.compareAndSet(
                  TOKEN_ID,
                  1,
                  (yield* store.get(TOKEN_ID)).pipe(Option.getOrThrow).tokenSet,
                ),
              ),
            ),
          ),
        );
        yield* Effect.sleep("1 second");
        expect(yield* Deferred.isDone(entered)).toBe(false);
        const killedAt = performance.now();
        holder.kill();
        expect(yield* Effect.promise(() => holder.exited)).toBe("SIGKILL");
        const at = yield* Deferred.await(entered);
        const written = yield* Fiber.join(waiter);
        expect(written._tag).toBe("Written");
        expect(at - killedAt).toBeLessThan(takeoverWithinMs);
        console.log(`lock of a SIGKILLed holder taken over after ${Math.round(at - killedAt)} ms`);
      }).pipe(Effect.scoped, Effect.orDie),
    { timeout: 90_000 },
  );
};

// Runs a status stream in the background of a scenario and records what it emitted, with the
// simulated wall time of each emission.
import { Clock, Effect, Fiber, Stream } from "effect";
import { TestClock } from "effect/testing";

export interface Recorded<A> {
  readonly at: number;
  readonly value: A;
}

export interface Recording<A> {
  readonly items: Array<Recorded<A>>;
  readonly fiber: Fiber.Fiber<void>;
  /** Whether the stream has ended on its own. */
  readonly ended: () => boolean;
}

/**
 * Interrupt a recording's fiber while moving the TestClock on. A watcher's refresh is
 * uninterruptible (a rotated pair must not be dropped), so stopping waits for it, and a refresh
 * attempt that hangs ends only by its timeout, on simulated time: without the clock moving,
 * closing the scope would wait forever.
 */
const stopDriving = (fiber: Fiber.Fiber<void>, ended: () => boolean) =>
  Effect.gen(function* () {
    const stopping = yield* Effect.forkDetach(Fiber.interrupt(fiber));
    for (let second = 0; !ended(); second++) {
      if (second >= 3_600) {
        return yield* Effect.die(new Error("the stream did not stop within 1 simulated hour"));
      }
      yield* TestClock.adjust("1 second");
      yield* TestClock.withLive(Effect.sleep(1));
    }
    yield* Fiber.join(stopping);
  });

/**
 * Fork `stream`, recording every element; stopped (driving the TestClock until it has) when
 * the enclosing scope closes.
 */
export const record = <A, R>(stream: Stream.Stream<A, never, R>) =>
  Effect.gen(function* () {
    const items: Array<Recorded<A>> = [];
    let done = false;
    const fiber = yield* Stream.runForEach(stream, (value) =>
      Effect.map(Clock.currentTimeMillis, (at) => {
        items.push({ at, value });
      }),
    ).pipe(
      Effect.ensuring(
        Effect.sync(() => {
          done = true;
        }),
      ),
      Effect.forkScoped,
    );
    yield* Effect.addFinalizer(() => stopDriving(fiber, () => done));
    return { items, fiber, ended: () => done } satisfies Recording<A>;
  });

/** The tags of recorded statuses, in order. */
export const tags = (items: ReadonlyArray<Recorded<{ readonly _tag: string }>>): Array<string> =>
  items.map((item) => item.value._tag);

/**
 * Wait, in real time (at most `limitMs`), until `recording` holds `count` items. The harness's
 * `settle` waits for HTTP only; a watcher's first status of a token also awaits the token's
 * fingerprint (Web Crypto, on libuv's thread pool), which on a loaded machine can outlast a
 * whole `advance`. The simulated clock does not move meanwhile.
 */
export const awaitItems = <A>(recording: Recording<A>, count: number, limitMs = 10_000) =>
  TestClock.withLive(
    Effect.gen(function* () {
      const deadline = Date.now() + limitMs;
      while (recording.items.length < count && Date.now() < deadline) yield* Effect.sleep(5);
    }),
  );

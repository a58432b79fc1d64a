// Runs a status stream in the background of a scenario and records what it emitted, with the
// simulated wall time of each emission.
import { Clock, Effect, type Fiber, Stream } from "effect";

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

/** Fork `stream`, recording every element; interrupted with the enclosing scope. */
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
    return { items, fiber, ended: () => done } satisfies Recording<A>;
  });

/** The tags of recorded statuses, in order. */
export const tags = (items: ReadonlyArray<Recorded<{ readonly _tag: string }>>): Array<string> =>
  items.map((item) => item.value._tag);
